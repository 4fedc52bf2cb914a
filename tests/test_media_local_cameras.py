"""Local cameras from sysfs: a laid-out copy of /sys/class/video4linux (no camera on CI), read as the real one."""

from __future__ import annotations

from pathlib import Path

from classroom_console.media.local_cameras import LocalCamera, local_cameras


def lay_out(root: Path, nodes: dict[str, tuple[str, str]]) -> tuple[Path, Path]:
    sysfs, dev = root / "sys", root / "dev"
    dev.mkdir()
    for node, (name, index) in nodes.items():
        (sysfs / node).mkdir(parents=True)
        (sysfs / node / "name").write_text(name + "\n")
        (sysfs / node / "index").write_text(index + "\n")
        (dev / node).touch()
    return sysfs, dev


def test_capture_nodes_are_listed_by_name_and_metadata_nodes_are_not(tmp_path: Path) -> None:
    sysfs, dev = lay_out(tmp_path, {
        "video0": ("Logitech C920", "0"), "video1": ("Logitech C920", "1"),
        "video10": ("USB3 HDMI capture", "0"), "video2": ("Integrated camera", "0"),
    })
    assert local_cameras(sysfs, dev) == [
        LocalCamera(str(dev / "video0"), "Logitech C920"),
        LocalCamera(str(dev / "video2"), "Integrated camera"),
        LocalCamera(str(dev / "video10"), "USB3 HDMI capture"),
    ]


def test_a_machine_without_video_devices_has_none(tmp_path: Path) -> None:
    assert local_cameras(tmp_path / "nothing-here", tmp_path) == []
    assert isinstance(local_cameras(), list)  # this machine: whatever it has, never an error
