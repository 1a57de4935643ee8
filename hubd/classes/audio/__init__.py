"""Audio: the kiosk's speaker and microphone, voice prompts in Hindi and English, recordings, the
level meter and a loopback self-test naming the part at fault, as ``AudioService``."""

from __future__ import annotations

from hubd.classes.spec import ClassSpec, ReportSection, SimulatedDevice
from hubd.device import DeviceClass

SPEC = ClassSpec(
    name="audio",
    title="Audio: speaker and microphone, voice prompts and the loopback self-test",
    device_classes=(DeviceClass.AUDIO,),
    services=("hubd.classes.audio.service:AudioServicer",),
    runner="hubd.classes.audio.sound:runner",
    cli="hubd.classes.audio.cli",
    report=(ReportSection("Microphone level", ("audio", "levels"), selftest=True),
            ReportSection("Speaker and microphone self-test", ("audio", "selftest"), selftest=True)),
    demo="hubd.classes.audio.demo",
    demo_order=80,
    # A private PulseAudio (hubd.stacks.pulseaudio.simulate) when no sound server runs: the speaker
    # is its null sink, the microphone the sink's monitor, so the loopback self-test hears itself.
    simulate=(SimulatedDevice("audio", "audio", options={"output": "speaker", "input": "speaker.monitor"},
                              default=True),),
    events={
        "AUDIO_SELF_TEST_PASSED": "a loopback self-test of the speaker and microphone passed",
        "AUDIO_SELF_TEST_FAILED": "a loopback self-test failed; the reason (and attribute fault) says "
                                  "which part is at fault",
    },
    reasons={
        # the sound server and devices
        "AUDIO_SERVER_UNAVAILABLE": "no sound server (PulseAudio) answers, or ALSA's pulse plugin is missing",
        "AUDIO_DEVICE_NOT_FOUND": "no audio device of that name (metadata side: output or input)",
        "AUDIO_DEVICE_FAILED": "the speaker or microphone failed or stalled (metadata side: output or input)",
        "PORTAUDIO_NOT_INSTALLED": "the PortAudio library (libportaudio2) is not installed",
        "VOICE_NOT_INSTALLED": "no voice for prompts: espeak-ng is not installed and no recording exists",
        "VOICE_FAILED": "espeak-ng failed to speak a prompt",
        # the self-test's verdicts (AudioSelfTestResult.reason)
        "TONE_OK": "self-test: the tone came back at its frequency and level: speaker and microphone work",
        "MIC_SILENT": "self-test: the microphone gives no signal at all (unplugged or muted)",
        "NO_TONE": "self-test: the microphone hears the room but not the tone: the speaker is at fault",
        "TONE_TOO_QUIET": "self-test: the tone came back too quietly (volume or gain too low)",
        "WRONG_FREQUENCY": "self-test: something other than the tone came back (noise, distortion)",
        "SPEAKER_UNAVAILABLE": "self-test: the speaker could not be opened",
        "MIC_UNAVAILABLE": "self-test: the microphone could not be opened",
    },
    event_payload="hubd.classes.audio.convert:event_payload",
)
