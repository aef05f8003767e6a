"""Sync in the background: the engine runs on a worker thread, never on the UI thread.

A run starts on a timer (QSettings ``sync/interval_minutes``, default 5), from the menu (F9), once at startup, and
when the network comes back (QNetworkInformation, where a backend loads; otherwise the timer alone). Before each
run a quick ``GET /health`` proves the server is reachable, so an offline laptop does not sit through the
engine's retries. One run at a time: a start while one runs is refused, not queued (the engine's lock file also
guards against a second process). A profile not enrolled with the township never starts the worker.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QThread, QTimer, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from app.ledger import Ledger
from sync.status import enrolled

if TYPE_CHECKING:
    from sync.background import SyncOutcome

log = logging.getLogger(__name__)

INTERVAL_KEY = "sync/interval_minutes"
DEFAULT_INTERVAL_MINUTES = 5


class SyncWorker(QObject):
    """Lives on the sync thread; ``run`` is invoked there through a queued signal."""

    progress = Signal(str, int)
    succeeded = Signal(object)
    failed = Signal(str, bool, bool)
    """message, offline, unauthorised"""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger

    @Slot()
    def run(self) -> None:
        # The engine and its HTTP stack load with the first run, on this thread: a window that has not synced yet
        # (a profile not enrolled) never loads them, and start-up does not wait for them.
        from sync.background import sync_once
        from sync.client import SyncError

        try:
            outcome = sync_once(self.ledger, self.progress.emit)
        except SyncError as exc:
            self.failed.emit(exc.message, exc.offline, exc.unauthorised)
        except Exception as exc:  # the thread must always answer, or the UI waits forever
            log.exception("sync run failed")
            message = QCoreApplication.translate("SyncWorker", "Sync failed: %1").replace("%1", str(exc))
            self.failed.emit(message, False, False)
        else:
            self.succeeded.emit(outcome)
        finally:
            # One run per thread start: no idle thread is left behind between runs.
            QThread.currentThread().quit()


class SyncController(QObject):
    """Owns the sync thread and decides when a run starts; lives on the UI thread."""

    started = Signal(str)
    """why: manual | timer | startup | network"""
    progress = Signal(str, int)
    finished = Signal(object)
    failed = Signal(str, bool, bool)
    _request = Signal()

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.runs = 0
        """Runs finished (succeeded or failed) since the window opened."""
        self._busy = False
        self._closed = False
        # The thread runs only while a sync runs: a profile that is not enrolled never starts it.
        self.sync_thread = QThread(self)
        self.sync_thread.setObjectName("griddesk-sync")
        self.worker = SyncWorker(ledger)
        self.worker.moveToThread(self.sync_thread)
        self._request.connect(self.worker.run)
        self.worker.progress.connect(self.progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        minutes = _interval_minutes()
        self.timer = QTimer(self)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(lambda: self.start("timer"))
        self.timer.start()
        self._network: QNetworkInformation | None = None
        self._reachability: QNetworkInformation.Reachability | None = None
        self._watch_network()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        if enrolled(ledger):
            QTimer.singleShot(0, self, lambda: self.start("startup"))

    @property
    def busy(self) -> bool:
        return self._busy

    def start(self, why: str = "manual") -> bool:
        """Start a run unless one is running or this laptop is not enrolled; True when one started."""
        if self._busy or self._closed or not enrolled(self.ledger):
            return False
        self._busy = True
        self.sync_thread.wait()  # the last run's thread may still be winding down
        self.sync_thread.start()
        self.started.emit(why)
        self._request.emit()
        return True

    def _succeeded(self, outcome: SyncOutcome) -> None:
        self._busy = False
        self.runs += 1
        self.finished.emit(outcome)

    def _failed(self, message: str, offline: bool, unauthorised: bool) -> None:
        self._busy = False
        self.runs += 1
        self.failed.emit(message, offline, unauthorised)

    def _watch_network(self) -> None:
        """Use the platform's reachability as a hint to sync when the network comes back; none is fine."""
        feature = QNetworkInformation.Feature.Reachability
        if not QNetworkInformation.loadBackendByFeatures(feature):
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self._network = info
        self._reachability = info.reachability()
        info.reachabilityChanged.connect(self._reachability_changed)

    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        before, self._reachability = self._reachability, reachability
        offline = (
            QNetworkInformation.Reachability.Disconnected,
            QNetworkInformation.Reachability.Local,
            QNetworkInformation.Reachability.Site,
        )
        if reachability == QNetworkInformation.Reachability.Online and before in offline:
            self.start("network")

    def shutdown(self) -> None:
        """Stop starting runs and wait for the one running, if any, to end (its work is saved as it goes)."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._reachability_changed)
            self._network = None
        self.sync_thread.quit()
        self.sync_thread.wait()


def _interval_minutes() -> int:
    value = QSettings().value(INTERVAL_KEY, DEFAULT_INTERVAL_MINUTES)
    try:
        minutes = int(str(value))
    except ValueError:
        return DEFAULT_INTERVAL_MINUTES
    return max(1, minutes)
