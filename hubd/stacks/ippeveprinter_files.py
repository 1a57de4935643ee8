"""The files of a private ippeveprinter: its print command, its D-Bus config and its PPD (the
model: an A4 monochrome duplex laser at 600 dpi). ``@NAME@`` marks are filled in by
``hubd.stacks.ippeveprinter.write_config``."""

PRINT_COMMAND = """#!/bin/sh
# Run by ippeveprinter for each document: $1 is the spooled file, IPP_* the job's attributes.
set -e
if [ -s "@ROOT@/delay" ]; then sleep "$(cat "@ROOT@/delay")"; fi
base="@OUT@/$(date +%s%N)-$(basename "$1" .pdf)"
env | grep '^IPP_' | sort > "$base.env" || true
pages=$(pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p')
if [ -n "$pages" ]; then
  n=$((pages * ${IPP_COPIES:-1}))
  echo "ATTR: job-impressions=$n job-impressions-completed=$n" >&2
fi
if [ -n "@RENDER@" ]; then pdftoppm -r 100 -png "$1" "$base" || true; fi
cp "$1" "$base.tmp"
mv "$base.tmp" "$base.pdf"
"""

DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""

PRINTER_PPD = """*PPD-Adobe: "4.3"
*% An A4 monochrome duplex laser, 600 dpi, 30 ppm: ippeveprinter derives its IPP attributes from it.
*% Sizes in exact points: A4 must come out as 21000 x 29700 (1/100 mm) or CUPS's media-col is refused.
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "KLASER.PPD"
*Manufacturer: "KIOSKHUB"
*Product: "(Laser A4)"
*ModelName: "KIOSKHUB Laser A4"
*ShortNickName: "KIOSKHUB Laser A4"
*NickName: "KIOSKHUB Laser A4"
*1284DeviceID: "MFG:KIOSKHUB;MDL:Laser A4;CMD:PDF;"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "30"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*DefaultResolution: 600dpi
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*PageSize A5/A5: "<</PageSize[419.53 595.28]/ImagingBBox null>>setpagedevice"
*PageSize Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
*PageSize Legal/US Legal: "<</PageSize[612 1008]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*PageRegion A5/A5: "<</PageSize[419.53 595.28]/ImagingBBox null>>setpagedevice"
*PageRegion Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
*PageRegion Legal/US Legal: "<</PageSize[612 1008]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "12 12 583.28 829.89"
*ImageableArea A5/A5: "12 12 407.53 583.28"
*ImageableArea Letter/US Letter: "12 12 600 780"
*ImageableArea Legal/US Legal: "12 12 600 996"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595.28 841.89"
*PaperDimension A5/A5: "419.53 595.28"
*PaperDimension Letter/US Letter: "612 792"
*PaperDimension Legal/US Legal: "612 1008"
*OpenUI *InputSlot/Paper Source: PickOne
*OrderDependency: 20 AnySetup *InputSlot
*DefaultInputSlot: Main
*InputSlot Main/Main Tray: "<</MediaPosition 0>>setpagedevice"
*CloseUI: *InputSlot
*OpenUI *Duplex/2-Sided Printing: PickOne
*OrderDependency: 30 AnySetup *Duplex
*DefaultDuplex: None
*Duplex None/Off: "<</Duplex false>>setpagedevice"
*Duplex DuplexNoTumble/Long Edge: "<</Duplex true/Tumble false>>setpagedevice"
*Duplex DuplexTumble/Short Edge: "<</Duplex true/Tumble true>>setpagedevice"
*CloseUI: *Duplex
*DefaultFont: Courier
*Font Courier: Standard "(002.004S)" Standard ROM
"""
