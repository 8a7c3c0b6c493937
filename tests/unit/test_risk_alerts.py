"""fastopt.risk.alerts: breach/cleared deduplication, hysteresis, triggers, handlers and
validation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastopt.risk.alerts import Alert, AlertCenter, AlertLog, Severity

T0 = dt.datetime(2025, 3, 3, 15, 30)


def center_with_log(**kwargs):
    log = AlertLog()
    return AlertCenter([log], **kwargs), log


def alert(**overrides):
    fields = {"severity": "warning", "rule": "max_delta", "subject": "SPX", "value": 1250.0,
              "limit": 1000.0, "timestamp": T0, "message": "m", "kind": "breach"}  # fmt: skip
    return Alert(**(fields | overrides))


# --------------------------------------------------------------------------- severity / alert


def test_severity_levels_and_values():
    assert [s.value for s in Severity] == ["info", "warning", "critical"]
    assert Severity.INFO.level == logging.INFO
    assert Severity.WARNING.level == logging.WARNING
    assert Severity.CRITICAL.level == logging.CRITICAL
    assert Severity("warning") is Severity.WARNING
    assert Severity.CRITICAL == "critical"


def test_alert_coerces_severity_and_numbers():
    a = alert(severity="CRITICAL", value=1250, limit=1000)
    assert a.severity is Severity.CRITICAL
    assert type(a.value) is float
    assert a.value == 1250.0
    assert type(a.limit) is float
    assert a.limit == 1000.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.value = 1.0  # type: ignore[misc]


def test_alert_allows_nan_only_for_triggers():
    t = alert(kind="trigger", value=math.nan, limit=math.nan)
    assert math.isnan(t.value)
    assert math.isnan(t.limit)
    with pytest.raises(ValueError, match="`value` must not be NaN"):
        alert(kind="breach", value=math.nan)
    with pytest.raises(ValueError, match="`limit` must not be NaN"):
        alert(kind="cleared", limit=math.nan)


@pytest.mark.parametrize(
    ("overrides", "exc", "text"),
    [
        ({"severity": "urgent"}, ValueError, "`severity` must be one of 'info', 'warning', "),
        ({"severity": 3}, ValueError, "'critical'; got 3"),
        ({"kind": "alarm"}, ValueError, "`kind` must be one of 'breach', 'cleared', 'trigger'"),
        ({"value": "1250"}, TypeError, "`value` must be a real number"),
        ({"value": True}, TypeError, "`value` must be a real number"),
        ({"limit": 1j}, TypeError, "`limit` must be a real number"),
        ({"rule": 7}, TypeError, "`rule` must be a string"),
        ({"subject": ""}, ValueError, "`subject` must not be empty"),
        ({"message": None}, TypeError, "`message` must be a string"),
        ({"timestamp": "2025-03-03"}, TypeError, "`timestamp` must be a datetime.datetime"),
    ],
)
def test_alert_validation(overrides, exc, text):
    with pytest.raises(exc) as info:
        alert(**overrides)
    assert text in str(info.value)


# --------------------------------------------------------------------------- observe


def test_sequence_breach_dedup_clear_breach_exact():
    center, log = center_with_log(hysteresis=0.1)
    values = [800.0, 1250.0, 1300.0, 1100.0, 950.0, 850.0, 1200.0]
    returned = [center.observe("max_delta", "SPX", v, 1000.0, timestamp=T0) for v in values]
    assert [r is None for r in returned] == [True, False, True, True, True, False, False]
    assert [(a.kind, a.value, a.limit, a.severity) for a in log.alerts] == [
        ("breach", 1250.0, 1000.0, Severity.WARNING),
        ("cleared", 850.0, 1000.0, Severity.INFO),
        ("breach", 1200.0, 1000.0, Severity.WARNING),
    ]
    assert [a.message for a in log.alerts] == [
        "max_delta breached on SPX: 1,250 > 1,000",
        "max_delta cleared on SPX: 850 <= 900 (limit 1,000, hysteresis 10%)",
        "max_delta breached on SPX: 1,200 > 1,000",
    ]
    assert [returned[1], returned[5], returned[6]] == log.alerts
    assert center.history == tuple(log.alerts)
    assert all(a.rule == "max_delta" and a.subject == "SPX" for a in log.alerts)
    assert all(a.timestamp == T0 for a in log.alerts)
    assert center.suppressed == 3
    assert center.active() == (("max_delta", "SPX"),)


def test_keys_are_independent():
    center, log = center_with_log()
    center.observe("max_delta", "SPX", 1500.0, 1000.0)
    center.observe("max_delta", "NDX", 500.0, 1000.0)
    center.observe("max_vega", "SPX", 20.0, 10.0)
    center.observe("max_delta", "SPX", 1600.0, 1000.0)  # deduplicated
    center.observe("max_delta", "NDX", 1001.0, 1000.0)  # NDX breaches on its own
    center.observe("max_vega", "SPX", 5.0, 10.0)  # vega clears, delta stays breached
    assert [(a.rule, a.subject, a.kind, a.value) for a in log.alerts] == [
        ("max_delta", "SPX", "breach", 1500.0),
        ("max_vega", "SPX", "breach", 20.0),
        ("max_delta", "NDX", "breach", 1001.0),
        ("max_vega", "SPX", "cleared", 5.0),
    ]
    assert center.active() == (("max_delta", "NDX"), ("max_delta", "SPX"))
    assert center.suppressed == 1


def test_zero_hysteresis_rearms_exactly_at_limit():
    center, log = center_with_log()
    assert center.observe("r", "s", 1000.0, 1000.0) is None  # at the limit: not a breach
    center.observe("r", "s", 1000.5, 1000.0)
    cleared = center.observe("r", "s", 1000.0, 1000.0)
    assert cleared is not None
    assert cleared.kind == "cleared"
    assert cleared.message == "r cleared on s: 1,000 <= 1,000 (limit 1,000, hysteresis 0%)"
    assert [a.kind for a in log.alerts] == ["breach", "cleared"]
    assert center.active() == ()


def test_per_call_hysteresis_override_is_stored_with_the_breach():
    center, log = center_with_log(hysteresis=0.1)
    center.observe("max_delta", "SPX", 1100.0, 1000.0, hysteresis=0.5)
    assert center.observe("max_delta", "SPX", 880.0, 1000.0) is None  # below 900, above 500
    assert center.observe("max_delta", "SPX", 600.0, 1000.0, hysteresis=0.0) is None
    cleared = center.observe("max_delta", "SPX", 500.0, 1000.0)
    assert cleared is not None
    assert cleared.message == ("max_delta cleared on SPX: 500 <= 500 (limit 1,000, hysteresis 50%)")
    # the next breach, without override, uses the center's 10% again
    center.observe("max_delta", "SPX", 1100.0, 1000.0)
    assert center.observe("max_delta", "SPX", 880.0, 1000.0).kind == "cleared"
    assert [a.kind for a in log.alerts] == ["breach", "cleared", "breach", "cleared"]
    assert center.hysteresis == 0.1


def test_negative_values_breach_by_magnitude():
    center, log = center_with_log(hysteresis=0.2)
    assert center.observe("max_delta", "SPX", -999.0, 1000.0) is None
    b = center.observe("max_delta", "SPX", -1250.0, 1000.0, severity=Severity.CRITICAL)
    assert b.value == -1250.0
    assert b.severity is Severity.CRITICAL
    assert b.message == "max_delta breached on SPX: |-1,250| > 1,000"
    assert center.observe("max_delta", "SPX", 1250.0, 1000.0) is None  # sign flip, still out
    assert center.observe("max_delta", "SPX", -850.0, 1000.0) is None
    c = center.observe("max_delta", "SPX", -800.0, 1000.0)
    assert c.message == "max_delta cleared on SPX: |-800| <= 800 (limit 1,000, hysteresis 20%)"
    assert len(log.alerts) == 2


def test_number_formatting_is_compact():
    center, _ = center_with_log()
    a = center.observe("max_vega", "portfolio", 1234567.891, 0.25)
    assert a.message == "max_vega breached on portfolio: 1.23457e+06 > 0.25"
    b = center.observe("max_gamma", "pos-3", 12.3456789, 12.0)
    assert b.message == "max_gamma breached on pos-3: 12.3457 > 12"


def test_infinite_limit_never_breaches_and_infinite_value_does():
    center, log = center_with_log()
    assert center.observe("r", "s", 1e300, math.inf) is None
    assert center.observe("r", "s", -math.inf, 5.0).message == "r breached on s: |-inf| > 5"
    assert len(log.alerts) == 1


def test_default_timestamp_is_aware_utc_and_naive_is_kept():
    center, _ = center_with_log()
    before = dt.datetime.now(dt.UTC)
    a = center.observe("r", "s", 2.0, 1.0)
    assert a.timestamp.tzinfo is dt.UTC
    assert before <= a.timestamp <= dt.datetime.now(dt.UTC)
    b = center.observe("r", "s", 0.0, 1.0, timestamp=T0)
    assert b.timestamp == T0
    assert b.timestamp.tzinfo is None


def test_failed_validation_leaves_state_untouched():
    center, log = center_with_log()
    with pytest.raises(ValueError, match="`severity`"):
        center.observe("r", "s", 2.0, 1.0, severity="loud")
    assert center.active() == ()
    assert log.alerts == []
    assert center.history == ()


# --------------------------------------------------------------------------- triggers


def test_trigger_dedup_per_rule_subject_timestamp():
    center, log = center_with_log()
    t1 = T0 + dt.timedelta(days=1)
    first = center.trigger("stop_loss", "pos-17", -520.0, -500.0, timestamp=T0)
    assert first.kind == "trigger"
    assert first.severity is Severity.WARNING
    assert first.message == "stop_loss triggered on pos-17: value -520, limit -500"
    assert center.trigger("stop_loss", "pos-17", -530.0, -500.0, timestamp=T0) is None
    assert center.trigger("stop_loss", "pos-17", timestamp=t1) is not None
    assert center.trigger("stop_loss", "pos-18", timestamp=T0) is not None
    assert center.trigger("take_profit", "pos-17", timestamp=T0) is not None
    assert center.suppressed == 1
    assert [(a.rule, a.subject, a.timestamp) for a in log.alerts] == [
        ("stop_loss", "pos-17", T0),
        ("stop_loss", "pos-17", t1),
        ("stop_loss", "pos-18", T0),
        ("take_profit", "pos-17", T0),
    ]
    assert center.active() == ()  # triggers carry no level state


def test_trigger_defaults_and_custom_message():
    center, log = center_with_log()
    a = center.trigger("regime", "portfolio", severity="critical", message="risk-off")
    assert a.message == "risk-off"
    assert a.severity is Severity.CRITICAL
    assert math.isnan(a.value)
    assert math.isnan(a.limit)
    assert a.timestamp.tzinfo is dt.UTC
    b = center.trigger("regime", "portfolio", 3.0)
    assert b.message == "regime triggered on portfolio: value 3"
    assert len(log.alerts) == 2  # default-stamped triggers are always distinct events


def test_trigger_same_timestamp_is_not_deduplicated_against_levels():
    center, log = center_with_log()
    center.observe("max_delta", "SPX", 2.0, 1.0, timestamp=T0)
    center.trigger("max_delta", "SPX", 2.0, 1.0, timestamp=T0)
    assert [a.kind for a in log.alerts] == ["breach", "trigger"]


# --------------------------------------------------------------------------- handlers


def test_raising_handler_does_not_stop_the_next(caplog):
    calls = []

    def broken(alert):
        calls.append("broken")
        raise RuntimeError("pager down")

    log = AlertLog()
    center = AlertCenter([broken, log, lambda a: calls.append(a.kind)], logger_name="t.alerts")
    with caplog.at_level(logging.ERROR, logger="t.alerts"):
        center.observe("max_delta", "SPX", 2.0, 1.0)
        center.observe("max_delta", "SPX", 0.5, 1.0)
    assert calls == ["broken", "breach", "broken", "cleared"]
    assert [a.kind for a in log.alerts] == ["breach", "cleared"]
    assert center.handler_errors == 2
    errors = [r for r in caplog.records if r.name == "t.alerts"]
    assert len(errors) == 2
    assert errors[0].levelno == logging.ERROR
    assert errors[0].exc_info[0] is RuntimeError
    assert "max_delta breached on SPX: 2 > 1" in errors[0].getMessage()


def test_default_handler_logs_at_the_severity_level(caplog):
    center = AlertCenter(logger_name="fastopt.risk.test")
    with caplog.at_level(logging.DEBUG, logger="fastopt.risk.test"):
        center.observe("max_delta", "SPX", 1250.0, 1000.0, severity="critical")
        center.observe("max_delta", "SPX", 100.0, 1000.0)
        center.trigger("stop_loss", "pos-1", message="stop")
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert got == [
        ("fastopt.risk.test", logging.CRITICAL, "max_delta breached on SPX: 1,250 > 1,000"),
        (
            "fastopt.risk.test",
            logging.INFO,
            "max_delta cleared on SPX: 100 <= 1,000 (limit 1,000, hysteresis 0%)",
        ),
        ("fastopt.risk.test", logging.WARNING, "stop"),
    ]


def test_default_logger_name(caplog):
    center = AlertCenter()
    with caplog.at_level(logging.WARNING, logger="fastopt.risk"):
        center.observe("r", "s", 2.0, 1.0)
    assert [(r.name, r.levelno) for r in caplog.records] == [("fastopt.risk", logging.WARNING)]


def test_empty_handlers_means_none_but_history_is_kept(caplog):
    center = AlertCenter([])
    with caplog.at_level(logging.DEBUG):
        a = center.observe("r", "s", 2.0, 1.0)
    assert caplog.records == []
    assert center.handlers == ()
    assert center.history == (a,)


def test_add_remove_handler_and_emit_order():
    order = []
    first, second = (lambda a: order.append("first")), (lambda a: order.append("second"))
    center = AlertCenter([first])
    center.add_handler(second)
    assert center.handlers == (first, second)
    center.emit(alert())
    center.remove_handler(first)
    center.emit(alert())
    assert order == ["first", "second", "second"]
    assert len(center.history) == 2
    with pytest.raises(ValueError, match=r"`handler` .* is not registered"):
        center.remove_handler(first)
    with pytest.raises(TypeError, match="`handler` must be callable"):
        center.add_handler("print")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`alert` must be an Alert"):
        center.emit("breach")  # type: ignore[arg-type]


def test_handlers_accept_any_iterable():
    log = AlertLog()
    center = AlertCenter(h for h in [log])
    center.observe("r", "s", 2.0, 1.0)
    assert len(log.alerts) == 1


# --------------------------------------------------------------------------- state


def test_reset_and_active():
    center, log = center_with_log()
    for rule, subject in [("max_delta", "SPX"), ("max_delta", "NDX"), ("max_vega", "SPX")]:
        center.observe(rule, subject, 2.0, 1.0)
    center.trigger("stop", "SPX", timestamp=T0)
    assert center.active() == (("max_delta", "NDX"), ("max_delta", "SPX"), ("max_vega", "SPX"))
    center.reset(rule="max_delta", subject="NDX")
    assert center.active() == (("max_delta", "SPX"), ("max_vega", "SPX"))
    center.reset(subject="SPX")
    assert center.active() == ()
    assert center.trigger("stop", "SPX", timestamp=T0) is not None  # forgotten by reset
    n = len(log.alerts)
    assert center.observe("max_delta", "SPX", 3.0, 1.0).kind == "breach"  # re-armed
    center.observe("max_vega", "SPX", 3.0, 1.0)
    center.reset(rule="max_vega")
    assert center.active() == (("max_delta", "SPX"),)
    center.reset()
    assert center.active() == ()
    assert len(log.alerts) == n + 2  # reset itself emits nothing


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "exc", "text"),
    [
        ({"hysteresis": "0.1"}, TypeError, "`hysteresis` must be a real number"),
        ({"hysteresis": None}, TypeError, "`hysteresis` must be a real number"),
        ({"hysteresis": True}, TypeError, "`hysteresis` must be a real number"),
        ({"hysteresis": 1.0}, ValueError, "`hysteresis` must be a fraction in [0, 1)"),
        ({"hysteresis": -0.01}, ValueError, "`hysteresis` must be a fraction in [0, 1)"),
        ({"hysteresis": math.nan}, ValueError, "`hysteresis` must be a fraction in [0, 1)"),
        ({"handlers": [print, 3]}, TypeError, "`handlers[1]` must be callable"),
        ({"handlers": print}, TypeError, "`handlers` must be a sequence of callables"),
        ({"handlers": 5}, TypeError, "`handlers` must be a sequence of callables"),
        ({"handlers": "print"}, TypeError, "`handlers` must be a sequence of callables"),
        ({"logger_name": None}, TypeError, "`logger_name` must be a string"),
    ],
)
def test_center_validation(kwargs, exc, text):
    with pytest.raises(exc) as info:
        AlertCenter(**kwargs)
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "text"),
    [
        (("r", "s", math.nan, 1.0), {}, ValueError, "`value` must not be NaN"),
        (("r", "s", "2", 1.0), {}, TypeError, "`value` must be a real number"),
        (("r", "s", 2.0, -1.0), {}, ValueError, "`limit` must be >= 0"),
        (("r", "s", 2.0, math.nan), {}, ValueError, "`limit` must not be NaN"),
        (("r", "s", 2.0, None), {}, TypeError, "`limit` must be a real number"),
        ((None, "s", 2.0, 1.0), {}, TypeError, "`rule` must be a string"),
        (("r", 17, 2.0, 1.0), {}, TypeError, "`subject` must be a string"),
        (("", "s", 2.0, 1.0), {}, ValueError, "`rule` must not be empty"),
        (("r", "s", 2.0, 1.0), {"severity": "high"}, ValueError, "`severity` must be one of"),
        (("r", "s", 2.0, 1.0), {"timestamp": 0}, TypeError, "`timestamp` must be a datetime"),
        (("r", "s", 2.0, 1.0), {"hysteresis": 1.5}, ValueError, "`hysteresis` must be a fra"),
        (("r", "s", 2.0, 1.0), {"hysteresis": "x"}, TypeError, "`hysteresis` must be a real"),
    ],
)
def test_observe_validation(args, kwargs, exc, text):
    center, log = center_with_log()
    with pytest.raises(exc) as info:
        center.observe(*args, **kwargs)
    assert text in str(info.value)
    assert log.alerts == []
    assert center.active() == ()


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "text"),
    [
        (("r", "s", "x"), {}, TypeError, "`value` must be a real number"),
        (("r", "s", 1.0, "x"), {}, TypeError, "`limit` must be a real number"),
        ((3, "s"), {}, TypeError, "`rule` must be a string"),
        (("r", "s"), {"severity": "fatal"}, ValueError, "`severity` must be one of"),
        (("r", "s"), {"message": 5}, TypeError, "`message` must be a string or None"),
        (("r", "s"), {"timestamp": "now"}, TypeError, "`timestamp` must be a datetime"),
    ],
)
def test_trigger_validation(args, kwargs, exc, text):
    center, log = center_with_log()
    with pytest.raises(exc) as info:
        center.trigger(*args, **kwargs)
    assert text in str(info.value)
    assert log.alerts == []


def test_reset_validation():
    with pytest.raises(TypeError, match="`subject` must be a string"):
        AlertCenter([]).reset(subject=3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- property


def reference_breaches(values, limit, h):
    """Independent state machine: (upward crossings, quiet observations while out, final)."""
    armed, crossings, quiet = True, 0, 0
    for v in values:
        size = -v if v < 0 else v
        if armed and size > limit:
            armed, crossings = False, crossings + 1
        elif not armed and size <= limit * (1 - h):
            armed = True
        elif not armed:
            quiet += 1
    return crossings, quiet, not armed


@given(
    values=st.lists(st.floats(-2e3, 2e3, allow_nan=False, allow_infinity=False), max_size=60),
    limit=st.floats(0.0, 1e3, allow_nan=False),
    h=st.floats(0.0, 0.99, allow_nan=False),
)
def test_alerts_alternate_and_match_reference(values, limit, h):
    center, log = center_with_log(hysteresis=h)
    for v in values:
        center.observe("max_delta", "SPX", v, limit)
    kinds = [a.kind for a in log.alerts]
    assert kinds == ["breach", "cleared"] * (len(kinds) // 2) + ["breach"] * (len(kinds) % 2)
    assert all(abs(a.value) > limit for a in log.alerts if a.kind == "breach")
    assert all(abs(a.value) <= limit * (1 - h) for a in log.alerts if a.kind == "cleared")
    crossings, quiet, breached = reference_breaches(values, limit, h)
    assert kinds.count("breach") == crossings
    assert center.suppressed == quiet
    assert center.active() == ((("max_delta", "SPX"),) if breached else ())
