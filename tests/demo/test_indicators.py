"""The demo at the end of 2024 (`make demo`, whose default day it is): the office set the plan's targets, units
reported indicator figures for 2023 and 2024 with evidence; some met the target, some missed it, some were never
reported, one was returned, and the latest wait for the office. Read from the suite's one demo build."""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime

import pytest

from tests.demo.demo_helpers import DEMO_DEFAULT_DATE, rows
from tracker import create_app
from tracker.demo.build import DemoPaths, DemoResult, demo_app
from tracker.extensions import db
from tracker.services.assessment import indicators

YEAR_END = date(2024, 12, 31)


@pytest.fixture(scope="module")
def year_end(demo_at_default_date: tuple[DemoPaths, DemoResult]) -> tuple[DemoPaths, DemoResult]:
    assert DEMO_DEFAULT_DATE == YEAR_END, "these tests read the demo at the end of 2024"
    return demo_at_default_date


@pytest.fixture(scope="module")
def states(year_end: tuple[DemoPaths, DemoResult]) -> dict[str, Counter[str]]:
    """Each year's outcomes by state, as the indicators page and the assessment read them."""
    application = demo_app(create_app, year_end[0])
    now = datetime.fromisoformat(year_end[1].clock_at)  # the demo's clock: 18:00 on its last day
    with application.app_context():
        found = {str(year): Counter(o.state for o in indicators.outcomes(start=date(year, 1, 1),
                                                                          end=date(year, 12, 31), now=now))
                 for year in (2023, 2024)}
        db.session.remove()
        db.engine.dispose()
    return found


def test_no_figure_or_decision_of_the_script_is_refused(year_end):
    _paths, result = year_end
    assert result.replay.refused == []
    assert result.replay.steps["targets"] == 1
    assert result.replay.steps["figure"] > 100 and result.replay.steps["figure_decision"] > 100


def test_the_office_set_every_target_the_plan_leaves_open(year_end):
    paths, _result = year_end
    assert rows(paths, "SELECT count(*) FROM task_parameters WHERE value IS NULL") == [(0,)]
    assert rows(paths, "SELECT count(*) FROM events WHERE action = 'plan.parameter'") == [(10,)]


def test_2023_figures_are_decided_some_met_some_missed_some_never_reported(states):
    assert states["2023"]["met"] > 0 and states["2023"]["not_met"] > 0 and states["2023"]["not_reported"] > 0
    assert states["2023"]["pending"] == 0  # the office decided every 2023 figure within the year after


def test_2024_figures_are_met_missed_not_yet_due_or_waiting_for_the_office(states):
    """On 31 December the year's figures are due within January: those not in yet are 待报送, not 未报送."""
    assert all(states["2024"][state] > 0 for state in ("met", "not_met", "awaited", "pending")), states["2024"]
    assert states["2023"]["awaited"] == 0


def test_returned_figures_were_reported_again_and_one_still_waits_to_be(year_end):
    paths, _result = year_end
    again = rows(paths, "SELECT count(*) FROM indicator_reports WHERE seq = 2")[0][0]
    assert again > 0
    newest_returned = rows(paths, "SELECT count(*) FROM indicator_reports r WHERE r.status = 'returned' AND NOT "
                                  "EXISTS (SELECT 1 FROM indicator_reports l WHERE l.indicator_id = r.indicator_id "
                                  "AND l.unit_id = r.unit_id AND l.period = r.period AND l.seq > r.seq)")[0][0]
    assert newest_returned > 0


def test_figures_carry_evidence_stored_as_their_hashes_say(year_end):
    paths, _result = year_end
    files = rows(paths, "SELECT stored_name, sha256 FROM attachments WHERE indicator_report_id IS NOT NULL")
    assert files
    for stored, sha256 in files:
        assert hashlib.sha256((paths.files / stored).read_bytes()).hexdigest() == sha256


def test_every_figure_change_is_audited_and_the_units_and_office_were_told(year_end):
    paths, _result = year_end
    audited = dict(rows(paths, "SELECT action, count(*) FROM events WHERE entity_type = 'indicator_report' "
                               "GROUP BY action"))
    reports = rows(paths, "SELECT count(*) FROM indicator_reports")[0][0]
    decided = rows(paths, "SELECT count(*) FROM indicator_reports WHERE decided_at IS NOT NULL")[0][0]
    assert audited["indicator.report"] == reports
    assert audited["indicator.accept"] + audited["indicator.return"] == decided
    told = dict(rows(paths, "SELECT kind, count(*) FROM notifications WHERE kind LIKE 'indicator_%' GROUP BY kind"))
    assert told["indicator_submitted"] == reports and told["indicator_returned"] == audited["indicator.return"]
