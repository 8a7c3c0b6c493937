"""Save figures: HTML and JSON always; PNG, SVG and PDF through kaleido and Chromium.

Static export renders in a headless Chromium driven by kaleido (>= 1.0).
Starting the browser costs 3-4 s, so fastopt starts ONE browser per process,
lazily on the first static export (``kaleido.start_sync_server``), reuses it for
every later export (~0.2-0.3 s per PNG/SVG) and stops it at exit;
:func:`export_session` scopes it to a ``with`` block instead. MathJax is off
(kaleido would fetch it from a CDN, which fails offline); figures here use no
LaTeX.

Every file is written atomically: the bytes are rendered in memory, written to
a temporary file in the target directory, then renamed over the target, so an
interrupted or failed export never leaves a partial file (and never clobbers
an existing one).
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastopt._validate import check_int

if TYPE_CHECKING:
    import plotly.graph_objects as go

TEXT_FORMATS: tuple[str, ...] = ("html", "json")
STATIC_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
FORMATS: tuple[str, ...] = TEXT_FORMATS + STATIC_FORMATS
"""Every format :func:`save` writes (the file suffix without its dot)."""

RENDER_TIMEOUT_S = 180.0
"""Longest wait for one static render, browser start included (kaleido's own
per-render timeout is 90 s)."""

INSTALL_HINT = (
    "static export (PNG/SVG/PDF) needs kaleido >= 1.0 and a Chromium-based browser: "
    "`pip install fastopt[viz]` and `apt-get install chromium` (or set the BROWSER_PATH "
    "environment variable to a Chrome/Chromium executable). HTML and JSON export need neither."
)

_LOCK = threading.RLock()
_ATEXIT_REGISTERED = False


# --------------------------------------------------------------------------- availability
def _find_browser() -> str | None:
    """Path of the Chromium/Chrome kaleido would launch (BROWSER_PATH first), or None."""
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return None
    try:
        path = Chromium.find_browser(skip_local=False)
    except Exception:  # a broken local download or registry: treat as missing
        return None
    if not path or not Path(path).is_file() or not os.access(path, os.X_OK):
        return None
    return str(path)


def _kaleido() -> Any:
    """The kaleido module (>= 1.0) when a browser is present, else RuntimeError."""
    try:
        import kaleido
    except ImportError as exc:
        msg = f"kaleido is not installed; {INSTALL_HINT}"
        raise RuntimeError(msg) from exc
    if not hasattr(kaleido, "start_sync_server"):
        version = getattr(kaleido, "__version__", "< 1.0")
        msg = f"kaleido {version} is too old; {INSTALL_HINT}"
        raise RuntimeError(msg)
    if _find_browser() is None:
        env = os.environ.get("BROWSER_PATH")
        where = f"BROWSER_PATH={env!r} is not an executable; " if env else "no browser found; "
        msg = where + INSTALL_HINT
        raise RuntimeError(msg)
    return kaleido


def static_export_available() -> bool:
    """True when PNG/SVG/PDF export can run: kaleido >= 1.0 and a Chromium browser.

    The check looks for the browser executable without launching it, so it is
    cheap; a browser that is present but cannot start still makes
    :func:`save` raise ``RuntimeError``.

    Examples
    --------
    >>> from fastopt.viz import static_export_available
    >>> isinstance(static_export_available(), bool)
    True
    """
    try:
        _kaleido()
    except RuntimeError:
        return False
    return True


# --------------------------------------------------------------------------- the browser
def _server_alive(kaleido: Any) -> bool | None:
    """Is kaleido's sync server running with a live thread? None when it cannot be told.

    kaleido marks its server running before the browser has started; if the
    browser then fails, the server thread dies and a later call would wait
    forever. Its thread is the only reliable sign.
    """
    server = getattr(kaleido, "_global_server", None)
    if server is None or not hasattr(server, "is_running"):
        return None
    if not server.is_running():
        return False
    thread = getattr(server, "_thread", None)
    if not isinstance(thread, threading.Thread):
        return None
    return thread.is_alive()


def _stop(kaleido: Any) -> None:
    with contextlib.suppress(Exception):
        kaleido.stop_sync_server(silence_warnings=True)


def _atexit_stop() -> None:
    try:
        import kaleido
    except ImportError:  # pragma: no cover - registered only after an import
        return
    if hasattr(kaleido, "stop_sync_server"):
        _stop(kaleido)


def _ensure_server(kaleido: Any) -> bool:
    """Start the process-wide browser unless a live one runs; True if this call started it.

    A server whose thread died (browser crash, or a forked child that inherited
    the parent's state) is stopped and started again.
    """
    global _ATEXIT_REGISTERED
    with _LOCK:
        alive = _server_alive(kaleido)
        if alive is True:
            return False
        if alive is False:
            _stop(kaleido)  # resets a dead server; a no-op when none runs
        import plotly.io as pio

        kwargs: dict[str, Any] = {"mathjax": False}
        if pio.defaults.headers:
            kwargs["headers"] = dict(pio.defaults.headers)
        if pio.defaults.plotlyjs:
            kwargs["plotlyjs"] = pio.defaults.plotlyjs
        kaleido.start_sync_server(silence_warnings=True, **kwargs)
        if not _ATEXIT_REGISTERED:
            atexit.register(_atexit_stop)
            _ATEXIT_REGISTERED = True
        return True


@contextlib.contextmanager
def export_session() -> Iterator[None]:
    """Keep one browser running for a batch of static exports, then stop it.

    Without a session, the first static :func:`save` starts a browser that
    stays up until the process exits; a session stops it at the end of the
    ``with`` block (a browser that was already running is left running, so
    sessions nest).

    Raises
    ------
    RuntimeError
        kaleido or a Chromium browser is missing.

    Examples
    --------
    Needs Chromium, so not run as a doctest:

    >>> import plotly.graph_objects as go
    >>> from fastopt.viz import export_session, save
    >>> figs = [go.Figure(go.Scatter(y=[1, 3, 2])) for _ in range(3)]
    >>> with export_session():  # doctest: +SKIP
    ...     for i, f in enumerate(figs):
    ...         save(f, f"fig{i}.png")
    """
    kaleido = _kaleido()
    started = _ensure_server(kaleido)
    try:
        yield
    finally:
        if started:
            with _LOCK:
                _stop(kaleido)


def _render_static(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    """PNG/SVG/PDF bytes of ``fig`` from the process-wide browser (started if needed)."""
    import plotly.io as pio

    kaleido = _kaleido()
    spec = fig.to_dict()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["out"] = kaleido.calc_fig_sync(spec, opts=opts, topojson=pio.defaults.topojson)
        except BaseException as exc:  # handed to the caller's thread
            box["err"] = exc

    with _LOCK:  # kaleido's sync server pairs requests and replies by order: one at a time
        _ensure_server(kaleido)
        worker = threading.Thread(target=call, name="fastopt-static-export", daemon=True)
        worker.start()
        deadline = time.monotonic() + RENDER_TIMEOUT_S
        while True:
            worker.join(0.05)
            if not worker.is_alive():
                break
            if _server_alive(kaleido) is False:
                _stop(kaleido)
                msg = (
                    f"the browser used for static export ({_find_browser()}) failed to start "
                    f"or crashed; {INSTALL_HINT}"
                )
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                _stop(kaleido)
                msg = f"static export did not finish within {RENDER_TIMEOUT_S:g} s"
                raise RuntimeError(msg)
    if "err" in box:
        raise box["err"]
    out = box["out"]
    if not isinstance(out, bytes | bytearray) or not out:
        msg = f"kaleido returned no {fmt.upper()} data"
        raise RuntimeError(msg)
    return bytes(out)


# --------------------------------------------------------------------------- files
def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (all or nothing).

    An interrupted or failed write leaves ``path`` as it was (no half-written file);
    the directory must exist. :func:`save` and the backtest report write through it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastopt.viz.export import atomic_write
    >>> with tempfile.TemporaryDirectory() as d:
    ...     atomic_write(Path(d) / "page.html", b"<p>hi</p>")
    ...     (Path(d) / "page.html").read_bytes()
    b'<p>hi</p>'
    """
    parent = path.parent
    if not parent.is_dir():
        msg = f"cannot save to {str(path)!r}: directory {str(parent)!r} does not exist"
        raise FileNotFoundError(msg)
    tmp = parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _resolve_format(path: Path, format: str | None) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if format is None:
        if suffix not in FORMATS:
            allowed = ", ".join(f".{f}" for f in FORMATS)
            got = f"suffix {path.suffix!r}" if path.suffix else "no suffix"
            msg = f"cannot infer the format of {str(path)!r} ({got}); use one of {allowed}"
            raise ValueError(msg)
        return suffix
    fmt = format.lower().lstrip(".") if isinstance(format, str) else format
    if fmt not in FORMATS:
        msg = f"`format` must be one of {', '.join(repr(f) for f in FORMATS)}; got {format!r}"
        raise ValueError(msg)
    if suffix in FORMATS and suffix != fmt:
        msg = f"`format` {fmt!r} contradicts the suffix of {str(path)!r}"
        raise ValueError(msg)
    return str(fmt)


def save(
    fig: go.Figure,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    width: int = 900,
    height: int = 500,
    scale: float = 1.0,
    include_plotlyjs: bool | str = True,
) -> Path:
    """Save a figure to ``path``: HTML, JSON, PNG, SVG or PDF.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    path : str or path-like
        Target file; its directory must exist. An existing file is replaced
        atomically (on failure it is left untouched).
    format : {"html", "json", "png", "svg", "pdf"}, optional
        Default: from the suffix of ``path``.
    width, height : int
        Size in layout pixels of static images (PNG/SVG/PDF).
    scale : float
        Resolution multiplier of static images (2.0 = twice the pixels).
    include_plotlyjs : bool or str, default True
        HTML only: True embeds plotly.js (~4.6 MB; the file works offline),
        ``"cdn"`` links it from the plotly CDN (small file, needs internet),
        False leaves it out, a string ending in ``.js`` links that URL.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        Unknown suffix or format (the message lists the allowed ones), bad
        sizes, ``include_plotlyjs="directory"``.
    RuntimeError
        Static export without kaleido or a Chromium browser (the message says
        what to install), or a browser that fails to start.
    FileNotFoundError
        The target directory does not exist.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> import plotly.graph_objects as go
    >>> from fastopt.viz import save
    >>> fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[4.0, 5.0, 6.0], name="demo"))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = save(fig, pathlib.Path(d) / "demo.json")
    ...     json.loads(out.read_text())["data"][0]["name"]
    'demo'
    """
    import plotly.graph_objects as go

    if not isinstance(fig, go.Figure):
        msg = f"`fig` must be a plotly.graph_objects.Figure, got {type(fig).__name__}"
        raise TypeError(msg)
    if not isinstance(path, str | os.PathLike):
        msg = f"`path` must be a str or path-like, got {type(path).__name__}"
        raise TypeError(msg)
    target = Path(path)
    fmt = _resolve_format(target, format)
    if fmt == "html":
        if include_plotlyjs == "directory":
            msg = (
                "`include_plotlyjs='directory'` is not supported (the file would need a "
                "plotly.min.js beside it); use True (embed), 'cdn' or a URL"
            )
            raise ValueError(msg)
        if not isinstance(include_plotlyjs, bool | str):
            msg = f"`include_plotlyjs` must be a bool or a str, got {include_plotlyjs!r}"
            raise TypeError(msg)
        data = fig.to_html(include_plotlyjs=include_plotlyjs, full_html=True).encode()
    elif fmt == "json":
        data = fig.to_json().encode()
    else:
        w = check_int(width, "width", 1)
        h = check_int(height, "height", 1)
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            msg = f"`scale` must be a number > 0, got {scale!r}"
            raise TypeError(msg)
        if not math.isfinite(scale) or scale <= 0.0:
            msg = f"`scale` must be finite and > 0, got {scale!r}"
            raise ValueError(msg)
        data = _render_static(fig, fmt, w, h, float(scale))
    atomic_write(target, data)
    return target
