"""Cold-room sensor summary: handler "lambda_function.lambda_handler" (Python).

Event: {"deviceId": "cold-room-3", "maxCelsius": 5.0,
        "readings": [{"at": "2025-03-14T09:00:00Z", "celsius": 3.9}, ...]}
Returns min/max/mean and the readings above the limit.
"""

import statistics
from datetime import datetime, timezone


def lambda_handler(event, context):
    device_id = event.get("deviceId") if isinstance(event, dict) else None
    if not isinstance(device_id, str) or not device_id:
        raise ValueError("deviceId is required")
    readings = event.get("readings")
    if not isinstance(readings, list) or not readings:
        raise ValueError(f"{device_id}: readings must be a non-empty list")
    try:
        limit = float(event.get("maxCelsius", 5.0))
    except (TypeError, ValueError):
        raise ValueError(f"{device_id}: maxCelsius must be a number, got {event.get('maxCelsius')!r}") from None

    parsed = []
    for i, reading in enumerate(readings):
        try:
            at = datetime.fromisoformat(str(reading["at"]).replace("Z", "+00:00"))
            celsius = float(reading["celsius"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"{device_id}: readings[{i}] needs 'at' (ISO 8601) and 'celsius' (number): {err}") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        parsed.append((at, celsius))
    parsed.sort()

    temperatures = [celsius for _, celsius in parsed]
    breaches = [{"at": at.isoformat(), "celsius": celsius} for at, celsius in parsed if celsius > limit]
    summary = {
        "deviceId": device_id,
        "from": parsed[0][0].isoformat(),
        "to": parsed[-1][0].isoformat(),
        "count": len(parsed),
        "minCelsius": min(temperatures),
        "maxCelsius": max(temperatures),
        "meanCelsius": round(statistics.fmean(temperatures), 2),
        "breaches": breaches,
    }
    status = f"{len(breaches)} reading(s) above {limit} C" if breaches else "within limits"
    print(f"{device_id}: {len(parsed)} readings, mean {summary['meanCelsius']} C, {status}")
    return summary
