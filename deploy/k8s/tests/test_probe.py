"""The probe command the nameko services' Kubernetes probes run (samverkan_common.probe)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from samverkan_common import probe
from samverkan_common.migrations import upgrade

BROKER = "amqp://guest:guest@127.0.0.1:5672/"
HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def process():
    """A process that connects to a port if given one, says so, and waits; ended after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(port: int | None) -> int:
        code = (
            "import socket, sys\n"
            "held = socket.create_connection(('127.0.0.1', int(sys.argv[1]))) if sys.argv[1] else None\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n"
        )
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(port or "")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        started.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        return child.pid

    yield start
    for child in started:
        child.communicate("")  # closing its stdin ends it


def test_only_established_connections_of_the_process_count():
    table = HEADER + "".join(
        f"   {i}: 0100007F:{40000 + i:04X} 0100007F:{port:04X} {state} 00000000:00000000 00:00000000 00000000  "
        f"1000        0 {inode} 1 0000000000000000 20 4 30 10 -1\n"
        for i, (port, state, inode) in enumerate([(5672, "06", 11), (5432, "01", 12), (5672, "01", 13)])
    )  # 06 is TIME_WAIT, 01 ESTABLISHED
    assert probe.established_remote_ports([table]) == {5432, 5672}
    assert probe.established_remote_ports([table], inodes={11, 12}) == {5432}


@pytest.mark.integration
def test_live_passes_while_the_service_holds_a_broker_connection(process):
    probe.live({"AMQP_URI": BROKER}, 1.0, pid=process(5672))


@pytest.mark.integration
def test_live_fails_when_the_broker_answers_but_the_service_has_no_connection(process):
    with pytest.raises(probe.ProbeFailed, match=r"the broker answers but the service \(pid \d+\) holds no connection"):
        probe.live({"AMQP_URI": BROKER}, 1.0, pid=process(None))


@pytest.mark.integration
def test_live_passes_when_it_cannot_see_the_process_rather_than_restart_forever(capsys):
    probe.live({"AMQP_URI": BROKER}, 1.0, pid=2**22 + 1)  # above pid_max: no such process
    assert "live: cannot tell, passing: cannot read /proc/" in capsys.readouterr().err


def test_live_passes_while_the_broker_is_away_so_no_replica_restarts_for_it(process):
    away = f"amqp://guest:guest@127.0.0.1:{closed_port()}/"
    probe.live({"AMQP_URI": away}, 1.0, pid=process(None))


@pytest.mark.integration
def test_ready_when_broker_and_database_answer(tmp_path):
    probe.ready({"AMQP_URI": BROKER, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, 2.0)


def test_not_ready_while_the_broker_is_away(tmp_path):
    away = f"amqp://guest:guest@127.0.0.1:{closed_port()}/"
    with pytest.raises(probe.ProbeFailed, match="broker not reachable"):
        probe.ready({"AMQP_URI": away, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, 1.0)


@pytest.mark.integration
def test_not_ready_while_the_database_is_away(tmp_path):
    url = f"postgresql+psycopg2://samverkan:samverkan@127.0.0.1:{closed_port()}/nothing"
    with pytest.raises(probe.ProbeFailed, match="database not reachable"):
        probe.ready({"AMQP_URI": BROKER, "DATABASE_URL": url}, 1.0)


def test_migrated_waits_until_the_migration_job_has_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    with pytest.raises(probe.ProbeFailed, match="samverkan_registry not migrated after 0 s: at no revision, waiting"):
        probe.migrated("samverkan_registry", url, wait_seconds=0)
    upgrade("samverkan_registry", url)
    assert probe.migrated("samverkan_registry", url, wait_seconds=0).startswith("samverkan_registry is at ")


def test_migrated_accepts_a_database_ahead_of_the_image_after_a_rollback(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    upgrade("samverkan_registry", url)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_a_newer_image'"))
    engine.dispose()
    assert "ahead of this image" in probe.migrated("samverkan_registry", url, wait_seconds=0)


def test_probe_command_exits_1_and_says_why(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"AMQP_URI: amqp://guest:guest@127.0.0.1:{closed_port()}/\nDATABASE_URL: sqlite:///{tmp_path / 'x.db'}\n"
    )
    assert probe.main(["ready", "--config", str(config), "--timeout", "1"]) == 1
    assert "ready: broker not reachable" in capsys.readouterr().err


@pytest.mark.integration
def test_ready_when_the_service_holds_its_own_broker_connection_and_the_database_answers(process, tmp_path):
    probe.ready({"AMQP_URI": BROKER, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, 1.0, pid=process(5672))


@pytest.mark.integration
def test_not_ready_while_the_service_has_no_broker_connection_of_its_own(process, tmp_path):
    with pytest.raises(probe.ProbeFailed, match=r"the service \(pid \d+\) holds no connection to the broker yet"):
        probe.ready({"AMQP_URI": BROKER, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, 1.0, pid=process(None))


@pytest.mark.integration
def test_ready_falls_back_to_a_connection_of_its_own_when_it_cannot_see_the_process(tmp_path):
    probe.ready({"AMQP_URI": BROKER, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, 1.0, pid=2**22 + 1)
