"""Camera driver: webcams (V4L2) and video files through OpenCV, IP cameras by their MJPEG stream."""

from __future__ import annotations

from hubd.driver_api import DeviceClass, DriverInfo
from kioskhub.drivers.camera.driver import Camera

__all__ = ["DRIVER", "Camera"]

DRIVER = DriverInfo(
    name="camera",
    device_class=DeviceClass.CAMERA,
    factory=Camera,
    schemes=frozenset({"v4l2", "http", "https", "file"}),
    default_url="v4l2:///dev/video0",
    description="webcam (V4L2) or video file via OpenCV; IP camera via its MJPEG-over-HTTP stream",
    simulator="camera",
)
