"""
The Python bootstrap: runs inside an execution environment (one child process), loads the handler (init), then runs
invocations sent by the engine over fd 3, one at a time. Same newline-delimited JSON messages as the Node bootstrap
(see ../protocol.ts). Rules: PY-1 handler names, PY-2 errors, PY-3 context, PY-4 log lines.
"""
import _thread
import importlib
import importlib.machinery
import json
import os
import resource
import socket
import sys
import time

_CHANNEL = socket.socket(fileno=3)
# Reads and writes wait: the socket's mode is shared with every process that held it (a Node.js process started
# ahead of need and ended unused left it non-blocking).
_CHANNEL.setblocking(True)
_SEND_LOCK = _thread.allocate_lock()
_REQUEST_ID = None
# NODE-5 (Python): the last invocation's request id, under which a thread's error after its response is logged.
_LAST_REQUEST_ID = None


def _int_argument(name):
    """The number after `name` in the bootstrap's arguments, or None."""
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return None


# SYNC-6: the engine passes Lambda's response limit (../payloadLimits.ts) as --lt-response-limit N.
_RESPONSE_LIMIT_BYTES = None
# NODE-8 / PY-4: the engine keeps at most this much output per log (--lt-max-log-bytes N); the rest is dropped here.
_MAX_LOG = None
_LOG_LOCK = _thread.allocate_lock()
_log_left = None
_log_dropping = False


def _read_arguments():
    """What the bootstrap's arguments say: read at start, or once a process started ahead of need is configured."""
    global _RESPONSE_LIMIT_BYTES, _MAX_LOG, _log_left
    _RESPONSE_LIMIT_BYTES = _int_argument("--lt-response-limit")
    _MAX_LOG = _int_argument("--lt-max-log-bytes")
    _log_left = _MAX_LOG


# The engine's messages, one JSON object per line (one reader: it may hold the next line already).
_READER = _CHANNEL.makefile("rb")


def _configure():
    """
    A process started ahead of need (--lt-await-configuration, ../preBoot.ts) becomes the one the engine would have
    started: the environment (all of it afresh, in the configuration's order), working directory and bootstrap
    arguments it would have had. What Python reads at start (PYTHONPATH, HOME, the locale, ...) was part of the shape
    it was started with, so it is the same already, and so is what Python set at start (LC_CTYPE when it coerces the C
    locale, PEP 538): kept where it was, or last, as in a process started with the configuration's environment.
    """
    msg = json.loads(_READER.readline())
    at_start = dict(os.environ)
    os.environ.clear()
    os.environ.update(msg["env"])
    for key, value in at_start.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    os.chdir(msg["cwd"])
    sys.argv[1:] = msg["args"]
    if "--lt-await-configuration" in getattr(sys, "orig_argv", []):  # Python 3.10+: the command line as started
        sys.orig_argv[sys.orig_argv.index("--lt-await-configuration"):] = msg["args"]


def _new_log():
    """The engine starts a new log (an invocation starts, or its response is sent): a new allowance."""
    global _log_left, _log_dropping
    with _LOG_LOCK:
        _log_left, _log_dropping = _MAX_LOG, False


def _send_output(msg):
    """Forwards one piece of output, unless the log's cap is passed: one character more than fits tells the engine,
    then a `truncated` message, and the rest is dropped without being encoded or sent."""
    global _log_left, _log_dropping
    with _LOG_LOCK:
        if _MAX_LOG is None:
            fits = True
        elif _log_dropping:
            return
        else:
            fits = len(msg["text"]) <= _log_left
            if fits:
                _log_left -= len(msg["text"])
            else:
                _log_dropping = True
                msg["text"] = msg["text"][: _log_left + 1]
    _send(msg)
    if not fits:
        _send({"t": "truncated", "at": msg["at"]})


def _send(msg):
    data = (json.dumps(msg, separators=(",", ":")) + "\n").encode("utf-8")
    with _SEND_LOCK:
        _CHANNEL.sendall(data)


def _send_raw(line):
    with _SEND_LOCK:
        _CHANNEL.sendall((line + "\n").encode("utf-8"))


def _now_ms():
    return int(time.time() * 1000)


def _max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class _ChannelWriter:
    """sys.stdout / sys.stderr: print() output goes to the engine in production order."""

    def __init__(self, stream):
        self._stream = stream
        self.encoding = "utf-8"
        self.errors = "strict"

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        if text:
            _send_output({"t": "out", "s": self._stream, "text": text, "at": _now_ms()})
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return 1 if self._stream == "stdout" else 2

    @property
    def buffer(self):
        return self

    @property
    def closed(self):
        return False

    def writable(self):
        return True


_LEVELS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR", "CRITICAL": "FATAL"}


def _set_up_logging(logging):
    """PY-4: the root logger writes Lambda's log lines; done when the function's code first imports logging."""

    class _LambdaLogHandler(logging.Handler):
        """`[LEVEL]\\t<time>\\t<requestId>\\t<message>`, or a JSON record with AWS_LAMBDA_LOG_FORMAT=JSON."""

        def __init__(self, json_format):
            super().__init__()
            self._json = json_format

        def emit(self, record):
            try:
                request_id = getattr(record, "aws_request_id", _REQUEST_ID)
                message = record.getMessage()
                if record.exc_info:
                    import traceback

                    message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                stamp += ".%03dZ" % int(record.msecs)
                level = _LEVELS.get(record.levelname, record.levelname)
                if self._json:
                    text = json.dumps(
                        {"timestamp": stamp, "level": record.levelname, "message": message, "logger": record.name,
                         "requestId": request_id}
                    )
                else:
                    text = "[%s]\t%s\t%s\t%s" % (record.levelname, stamp, request_id, message)
                _send_output({"t": "out", "s": "console", "text": text, "level": level, "at": _now_ms()})
            except Exception:  # a broken log call must not fail the invocation
                self.handleError(record)

    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(_LambdaLogHandler(json_format))
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if json_format and level:
        root.setLevel({"TRACE": "DEBUG", "FATAL": "CRITICAL", "WARN": "WARNING"}.get(level, level))


def _set_up_threading(threading):
    """NODE-5 (Python): a thread's uncaught exception is logged (_thread_excepthook); done when threading loads."""
    threading.excepthook = _thread_excepthook


class _RuntimeModules:
    """The standard modules Lambda's runtime has loaded before the handler's code runs (logging, threading, traceback,
    decimal), loaded here only when something first imports them: a cold start does not pay for what the function never
    uses. They come from the interpreter's own library, never from a module of the same name in the code root (which
    Lambda's already loaded ones would hide too), and logging and threading are set up for the function as they load."""

    def __init__(self, task_root, setups):
        self._task_root = task_root
        self._setups = setups

    def find_spec(self, name, path=None, target=None):
        if path is not None or name not in self._setups:
            return None
        setup = self._setups.pop(name)
        if not self._setups:
            sys.meta_path.remove(self)
        library = [p for p in sys.path if p != self._task_root]
        spec = importlib.machinery.PathFinder.find_spec(name, library)
        if spec is not None and setup is not None and spec.loader is not None:
            spec.loader = _SetUpAfterLoading(spec.loader, setup)
        return spec

    def install(self):
        for name in list(self._setups):
            module = sys.modules.get(name)
            if module is not None:  # loaded before the bootstrap ran (a .pth file in site-packages, say)
                setup = self._setups.pop(name)
                if setup is not None:
                    setup(module)
        if self._setups:
            sys.meta_path.insert(0, self)


class _SetUpAfterLoading:
    """The module's own loader, followed by its setup; the loaded module names its own loader, as if imported as usual."""

    def __init__(self, loader, setup):
        self._loader = loader
        self._setup = setup

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._setup(module)


class FaultError(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.msg = message
        self.trace = trace or []


def _error_payload(exc, request_id=""):
    """SYNC-3: the runtime interface client's error, keys in its order; an init error has the request id ""."""
    if isinstance(exc, FaultError):
        message, error_type, trace = exc.msg, exc.error_type, exc.trace
    else:
        import traceback

        message, error_type = str(exc), type(exc).__name__
        # The bootstrap's own frames are not the user's business.
        trace = traceback.format_list(
            [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != os.path.abspath(__file__)]
        )
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}


def _log_error(error):
    """SYNC-3: the runtime logs the error it answers with, as Lambda's Python runtime does: one entry,
    `[ERROR] Type: message` and the traceback under it (JSON format: the error's fields)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%03dZ" % (int(time.time() * 1000) % 1000)
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
        text = json.dumps({"timestamp": stamp, "log_level": "ERROR", "errorMessage": error["errorMessage"],
                           "errorType": error["errorType"], "requestId": error["requestId"],
                           "stackTrace": error["stackTrace"]})
    else:
        lines = ["[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])]
        if error["stackTrace"]:
            lines.append("Traceback (most recent call last):")
            for element in error["stackTrace"]:
                lines.extend(element.splitlines())
        text = "\n".join(lines)
    _send_output({"t": "out", "s": "console", "text": text, "level": "ERROR", "at": _now_ms()})


def _load_handler(handler):
    """PY-1 / PY-2, as the Lambda runtime interface client does it."""
    if ".." in handler:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': '..' is not allowed" % handler)
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultError(
                "Runtime.BuiltInModuleConflict",
                "Cannot use built-in module %s as a handler module" % modname,
            )
        module = importlib.import_module(modname.replace("/", "."))
    except FaultError:
        raise
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    # PY-2: only the module's own functions are handlers: a dunder name (`__class__`, `__loader__`) reaches the
    # module's machinery, not its code, so it is missing like any other name.
    fn = None if fname.startswith("__") and fname.endswith("__") else getattr(module, fname, None)
    if fn is None:
        # PY-2: reported at invocation time, like the Lambda runtime.
        fault = FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))

        def missing(event, context):
            raise fault

        return missing
    return fn


class LambdaContext:
    """PY-3."""

    def __init__(self, msg):
        env = os.environ
        self.aws_request_id = msg["id"]
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = msg.get("arn")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = msg.get("identity")
        self.client_context = msg.get("clientContext")
        self._deadline = msg["deadline"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))


def _default(o):
    decimal = sys.modules.get("decimal")  # a Decimal was made, so decimal is loaded
    if decimal is not None and isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _thread_excepthook(args):
    """NODE-5 (Python): an exception a thread raises, during an invocation or after its response, is logged as an
    error entry under that invocation's request id; the environment lives on, as in Lambda."""
    if args.exc_type is SystemExit:
        return
    import logging

    name = args.thread.name if args.thread is not None else "?"
    record = logging.LogRecord("root", logging.ERROR, __file__, 0, "Exception in thread %s", (name,),
                               (args.exc_type, args.exc_value, args.exc_traceback))
    record.aws_request_id = _REQUEST_ID if _REQUEST_ID is not None else _LAST_REQUEST_ID
    logging.getLogger().handle(record)


def _invoke(handler, msg):
    global _REQUEST_ID, _LAST_REQUEST_ID
    request_id = msg["id"]
    _REQUEST_ID = request_id
    _LAST_REQUEST_ID = request_id
    os.environ["_X_AMZN_TRACE_ID"] = msg.get("traceId", "")
    try:
        result = handler(msg.get("event"), LambdaContext(msg))
    except Exception as e:
        error = _error_payload(e, request_id)
        _log_error(error)
        _send({"t": "result", "id": request_id, "error": error, "maxRssKb": _max_rss_kb()})
        return
    finally:
        _REQUEST_ID = None
    try:
        body = json.dumps(result, default=_default)
    except Exception as e:
        _send({"t": "result", "id": request_id, "maxRssKb": _max_rss_kb(),
               "error": {"errorMessage": "Unable to marshal response: %s" % e, "errorType": "Runtime.MarshalError",
                         "requestId": request_id, "stackTrace": []}})
        return
    size = len(body.encode("utf-8"))
    if _RESPONSE_LIMIT_BYTES is not None and size > _RESPONSE_LIMIT_BYTES:
        # SYNC-6: the engine words the error as Lambda does.
        _send({"t": "result", "id": request_id, "maxRssKb": _max_rss_kb(), "oversize": size})
        return
    _send_raw('{"t":"result","id":%s,"size":%d,"maxRssKb":%d,"body":%s}' % (json.dumps(request_id), size, _max_rss_kb(), body))


def _start_debugger():
    try:
        import debugpy
    except ImportError:
        raise FaultError("Runtime.DebuggerUnavailable",
                         "debugpy is not installed for %s (pip install debugpy)" % sys.executable)
    host, port = debugpy.listen(("127.0.0.1", 0))
    _send({"t": "debug", "host": host, "port": port})
    if "--lt-debug-wait" in sys.argv:
        debugpy.wait_for_client()


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    if "--lt-sys-path" in sys.argv:
        # RUNTIME-3: boto3 for an interpreter that lacks it, after the interpreter's own packages.
        sys.path.append(sys.argv[sys.argv.index("--lt-sys-path") + 1])
    sys.stdout = _ChannelWriter("stdout")
    sys.stderr = _ChannelWriter("stderr")
    _RuntimeModules(
        task_root, {"logging": _set_up_logging, "threading": _set_up_threading, "traceback": None, "decimal": None}
    ).install()
    try:
        if "--lt-debug" in sys.argv:
            _start_debugger()
        handler = _load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        _send({"t": "initError", "error": _error_payload(e)})
        os._exit(1)
    _send({"t": "ready"})
    for line in _READER:
        msg = json.loads(line)
        if msg.get("t") == "invoke":
            _new_log()
            _invoke(handler, msg)
            _new_log()
        elif msg.get("t") == "settle":
            # Between invocations nothing of the handler runs on this thread: settled at once.
            _send({"t": "settled"})
        elif msg.get("t") == "shutdown":
            break
    os._exit(0)


if __name__ == "__main__":
    if "--lt-await-configuration" in sys.argv:
        _configure()
    _read_arguments()
    main()
