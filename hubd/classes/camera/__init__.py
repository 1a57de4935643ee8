"""Cameras: stills, a shared preview, applicant-photo checks (Hindi and English reasons) and document
capture by webcam into the scanner's portal-ready output, and ``CameraService`` (exclusive: the
caller's lease)."""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, SimulatedDevice
from hubd.device import DeviceClass, Option

SPEC = ClassSpec(
    name="camera",
    title="Camera: stills, preview, applicant-photo checks and document capture",
    device_classes=(DeviceClass.CAMERA,),
    services=("hubd.classes.camera.service:CameraServicer",),
    runner="hubd.classes.camera.studio:runner",
    cli="hubd.classes.camera.cli",
    demo="hubd.classes.camera.demo",
    demo_order=70,
    # An MJPEG-over-HTTP camera (the camera simulator). A poll reads a frame (a webcam's LED lights
    # at each poll), so the camera is polled every 10 s; requests read it whenever they come.
    simulate=(SimulatedDevice("camera", "camera", default=True),),
    leased=True,
    settings_section="camera",
    settings={
        "document_dpi": Option(int, 150, "resolution of a page captured by webcam when the request does not "
                               "say (the page taken to be A4 wide)", 50, 600),
    },
    events={
        "CAMERA_FRAME_SIZE_CHANGED": "the camera delivers frames of another size than last observed "
                                     "(another webcam plugged in, or its mode changed)",
    },
    reasons={
        # the camera's state and its link
        "FROZEN_FRAMES": "the camera's picture has not changed for seconds: the sensor or driver is stuck",
        "BLACK_FRAMES": "the camera sends black frames: the lens is covered or the sensor is dead",
        "CAMERA_NOT_FOUND": "no camera at the configured device or file",
        "CAMERA_FAILED": "the camera reader failed unexpectedly (see the log); the next call reopens it",
        "HTTP_ERROR": "the IP camera answered its stream URL with an HTTP error",
        "NOT_MJPEG": "the IP camera's stream is not MJPEG (multipart/x-mixed-replace of JPEGs)",
        "BAD_FRAME": "the camera sent a frame that is not a JPEG image",
        "PAGE_NOT_FOUND": "document capture: no whole page in view of the camera",
        # applicant-photo checks (PhotoCheck.check) ...
        "FACE_COUNT": "applicant-photo check: exactly one face in the picture",
        "BRIGHTNESS": "applicant-photo check: the face is neither too dark nor too bright",
        "CONTRAST": "applicant-photo check: the face is not washed out",
        "SHARPNESS": "applicant-photo check: the photo is in focus",
        "FACE_SIZE": "applicant-photo check: the face is neither too small nor too large",
        "FACE_CENTRED": "applicant-photo check: the face is in the middle, at eye level",
        "BACKGROUND": "applicant-photo check: a plain light background around the head",
        # ... and their reasons (PhotoCheck.reason; the passing ones too)
        "ONE_FACE": "one face found",
        "NO_FACE": "no face found: the applicant should look straight at the camera",
        "MULTIPLE_FACES": "more than one face: only the applicant may be in the photo",
        "BRIGHTNESS_OK": "the light on the face is good",
        "TOO_DARK": "the face is too dark: more light in front of it",
        "TOO_BRIGHT": "the face is too bright: less light on it",
        "CONTRAST_OK": "the face is clear",
        "LOW_CONTRAST": "the face looks washed out: even out the light",
        "SHARP": "the photo is sharp",
        "BLURRED": "the photo is blurred: hold still, check the camera's focus",
        "FACE_SIZE_OK": "the face is the right size",
        "FACE_TOO_SMALL": "the face is too small: come closer to the camera",
        "FACE_TOO_LARGE": "the face is too large: move back from the camera",
        "CENTRED": "the face is centred",
        "FACE_OFF_CENTRE": "the face is not centred: move to the middle of the picture",
        "BACKGROUND_OK": "the background is plain and light",
        "BACKGROUND_DARK": "the background is too dark: stand in front of a plain light wall",
        "BACKGROUND_BUSY": "the background is not plain: stand in front of a plain light wall",
        "NO_BACKGROUND_VISIBLE": "the background check did not run: no background around the face",
        "NEEDS_ONE_FACE": "the check did not run: it needs exactly one face",
    },
    event_payload="hubd.classes.camera.convert:event_payload",
)
