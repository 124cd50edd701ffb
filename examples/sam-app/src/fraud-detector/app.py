"""Kinesis TransactionsStream -> fraud screening.

Lambda reads the shard in order. When this handler raises, the whole batch fails and the shard is blocked:
with BisectBatchOnFunctionError the batch is split in halves until the malformed record is isolated, and once
MaximumRetryAttempts (2) are used up its batch info goes to FraudFailuresQueue and the shard moves on.
"""

import base64
import binascii
import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)

THRESHOLD_CENTS = int(os.environ.get("FRAUD_THRESHOLD_CENTS", "100000"))
HIGH_RISK_COUNTRIES = {c.strip() for c in os.environ.get("HIGH_RISK_COUNTRIES", "").split(",") if c.strip()}


class MalformedTransactionError(Exception):
    pass


def handler(event, context):
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise MalformedTransactionError("Expected a Kinesis event with a Records list")

    flagged = []
    for record in records:
        tx = decode_transaction(record)
        reasons = screen(tx)
        if reasons:
            flagged.append({"transactionId": tx["transactionId"], "cardId": tx["cardId"], "reasons": reasons})
            logger.warning("Flagged %s on card %s: %s", tx["transactionId"], tx["cardId"], "; ".join(reasons))

    print(f"Screened {len(records)} transaction(s), flagged {len(flagged)} (request {context.aws_request_id})")
    return {"screened": len(records), "flagged": flagged}


def decode_transaction(record):
    kinesis = record.get("kinesis", {})
    where = f"record {kinesis.get('sequenceNumber', '?')} (partition key {kinesis.get('partitionKey', '?')})"
    try:
        tx = json.loads(base64.b64decode(kinesis["data"], validate=True))
    except KeyError:
        raise MalformedTransactionError(f"{where} has no kinesis.data") from None
    except (binascii.Error, ValueError) as err:  # bad base64, bad UTF-8 or bad JSON
        raise MalformedTransactionError(f"{where} is not base64-encoded JSON: {err}") from None

    if not isinstance(tx, dict) or not isinstance(tx.get("transactionId"), str):
        raise MalformedTransactionError(f"{where} has no transactionId")
    amount = tx.get("amountCents")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise MalformedTransactionError(f"{where}: amountCents must be a non-negative integer, got {amount!r}")
    tx.setdefault("cardId", kinesis.get("partitionKey", "unknown"))
    return tx


def screen(tx):
    reasons = []
    if tx["amountCents"] > THRESHOLD_CENTS:
        reasons.append(f"amount {tx['amountCents'] / 100:.2f} {tx.get('currency', 'EUR')} over the review threshold")
    if tx.get("country") in HIGH_RISK_COUNTRIES:
        reasons.append(f"merchant country {tx['country']} is high risk")
    if tx.get("cardPresent") is False and tx.get("country") != tx.get("cardCountry", tx.get("country")):
        reasons.append("card-not-present payment from outside the card's home country")
    return reasons
