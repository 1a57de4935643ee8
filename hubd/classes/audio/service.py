"""``kioskhub.v1.AudioService``: thin: convert, ask the sound desk, convert."""

from __future__ import annotations

from typing import Any

from hubd.app import Hub
from hubd.classes.audio import convert
from hubd.classes.audio.sound import SoundDesk
from hubd.device import DeviceClass
from kioskhub.v1 import audio_pb2, audio_pb2_grpc

Ctx = Any
AUDIO = DeviceClass.AUDIO


class AudioServicer(audio_pb2_grpc.AudioServiceServicer):
    """Sounds, voice prompts, recordings, levels and the loopback self-test."""

    SERVICE = audio_pb2.DESCRIPTOR.services_by_name["AudioService"]

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def desk(self) -> SoundDesk:
        """The class's runner."""
        return self.hub.runner("audio", SoundDesk)

    async def PlaySound(self, request: audio_pb2.PlaySoundRequest, context: Ctx) -> Any:
        """Play a WAV file to the end."""
        sup = self.hub.use(self.hub.find(AUDIO, request.device_id))
        output = convert.device_name(request.output, "output")
        seconds = await self.desk.play(sup, request.wav, output)
        return audio_pb2.PlaySoundResponse(device_id=sup.id, duration=convert.duration_pb(seconds))

    async def PlayPrompt(self, request: audio_pb2.PlayPromptRequest, context: Ctx) -> Any:
        """Speak a prompt in Hindi or English."""
        sup = self.hub.use(self.hub.find(AUDIO, request.device_id))
        output = convert.device_name(request.output, "output")
        language = request.language_code or convert.DEFAULT_LANGUAGE
        seconds, words = await self.desk.say(sup, request.prompt, language, output)
        return audio_pb2.PlayPromptResponse(device_id=sup.id, duration=convert.duration_pb(seconds),
                                            text=words)

    async def RecordAudio(self, request: audio_pb2.RecordAudioRequest, context: Ctx) -> Any:
        """Record from the microphone."""
        sup = self.hub.use(self.hub.find(AUDIO, request.device_id))
        seconds, rate, source = convert.record_request(request)
        return convert.recording_to_pb(sup.id, await self.desk.record(sup, seconds, rate, source))

    async def RunAudioSelfTest(self, request: audio_pb2.RunAudioSelfTestRequest, context: Ctx) -> Any:
        """The loopback self-test."""
        sup = self.hub.use(self.hub.find(AUDIO, request.device_id))
        frequency, amplitude, output, source = convert.self_test_request(request)
        report = await self.desk.self_test(sup, frequency, amplitude, output, source)
        return audio_pb2.RunAudioSelfTestResponse(device_id=sup.id, result=convert.self_test_to_pb(report))

    async def GetAudioLevels(self, request: audio_pb2.GetAudioLevelsRequest, context: Ctx) -> Any:
        """The level meter."""
        sup = self.hub.use(self.hub.find(AUDIO, request.device_id))
        seconds = convert.seconds_from_pb(request.duration, "duration", convert.MAX_LEVELS_SECONDS,
                                          convert.DEFAULT_LEVELS_SECONDS)
        source = convert.device_name(request.input, "input")
        levels = await self.desk.levels(sup, seconds, source)
        return audio_pb2.GetAudioLevelsResponse(device_id=sup.id, levels=convert.levels_to_pb(levels))
