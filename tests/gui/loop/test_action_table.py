"""Actions the annotation loop adds (jobs, export, review) are listed in Help → Keyboard Shortcuts and can be
rebound in Settings like the editor's own; the Models tab's detector image size reaches detection."""

from PySide6.QtGui import QKeySequence


def test_extension_actions_are_listed_in_the_shortcuts_help(qtbot, window):
    from app.dialogs.shortcuts_help import shortcut_rows

    ids = {s.id for s in window.action_specs}
    assert {"jobs.propagate", "jobs.detect", "file.export"} <= ids
    rows = shortcut_rows({}, window.action_specs)
    assert ("Jobs", "Propagate", "P") in rows
    assert any(r[1] == "Export…" and r[2] == "Ctrl+E" for r in rows)


def test_extension_action_can_be_rebound_in_settings(qtbot, window, monkeypatch):
    from app import settings as app_settings
    from app.dialogs import settings_dialog

    def fake_exec(dlg):
        dlg.key_edits["jobs.propagate"].setKeySequence(QKeySequence("Ctrl+Alt+P"))
        return True

    monkeypatch.setattr(settings_dialog.SettingsDialog, "exec", fake_exec)
    window.edit_settings()
    assert app_settings.load().shortcuts.get("jobs.propagate") == "Ctrl+Alt+P"
    keys = [k.toString() for k in window.actions_by_id["jobs.propagate"].shortcuts()]
    assert keys == ["Ctrl+Alt+P"]


def test_detector_image_size_setting_reaches_the_detector(qtbot, window, monkeypatch):
    from app import settings as app_settings
    from app.dialogs import settings_dialog

    def fake_exec(dlg):
        assert dlg.imgsz.value() == 640  # the default
        dlg.imgsz.setValue(1000)  # not a multiple of 32: stored as the nearest one
        return True

    monkeypatch.setattr(settings_dialog.SettingsDialog, "exec", fake_exec)
    window.edit_settings()
    assert app_settings.load().detector_imgsz == 992 == window.settings.detector_imgsz
    seen = {}
    import stdpose_core.detection as detection

    monkeypatch.setattr(detection, "create_detector", lambda weights=None, **kw: seen.update(kw) or "detector")
    assert window.jobs._default_detector() == "detector" and seen["imgsz"] == 992
    window.settings.detector_imgsz = 100_000  # a hand-edited settings file cannot break detection
    window.jobs._default_detector()
    assert seen["imgsz"] == app_settings.DETECTOR_IMGSZ_RANGE[1]
