#!/usr/bin/env bash
# Makes a recorder's FAT32 card with tools we did not write (mkfs.vfat from dosfstools, mtools),
# for the end-to-end docks of a mass-storage recorder (Tests/cli/mass-storage.sh,
# Tests/umockdev/mass-storage.sh), whose results are compared with The Sleuth Kit.
#
#   make-recorder-image.sh IMAGE
#
# A 300 MiB (sparse) partitionless FAT32 volume of 4 KiB clusters, as a body camera lays it out: DCIM/
# with videos under long Chinese names, a fragmented video (small files written, every other
# one deleted, then a large file copied into the holes), a photo, GPS/ and LOG/ files, an empty
# file and a deep directory. Content is deterministic (AES-CTR keyed by the name), so two runs
# make the same files.
set -euo pipefail
img=$1
export MTOOLS_SKIP_CHECK=1 LANG=C.UTF-8 LC_ALL=C.UTF-8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$img"
/usr/sbin/mkfs.vfat -C -F 32 -s 8 -n RECORDER -i 5EC0D001 "$img" 307200 > /dev/null

content() { # content NAME BYTES
  local key
  key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
  head -c "$2" /dev/zero | openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000
}

mmd -i "$img" ::DCIM ::DCIM/100MEDIA ::GPS ::LOG ::deep ::deep/一 ::deep/一/二 ::deep/一/二/三
# Fragmentation: eight 256 KiB files, every other one deleted, then a 3 MiB file that must fill
# the holes. mtools allocates from FSInfo's next-free hint, so the hint is set back to cluster 2
# (a value it legitimately takes) for the holes to be reused.
for i in 1 2 3 4 5 6 7 8; do
  content "frag$i" 262144 > "$work/frag$i"
  mcopy -i "$img" "$work/frag$i" "::DCIM/100MEDIA/FRAG$i.MP4"
done
mdel -i "$img" ::DCIM/100MEDIA/FRAG2.MP4 ::DCIM/100MEDIA/FRAG4.MP4 ::DCIM/100MEDIA/FRAG6.MP4
python3 - "$img" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    bpb = f.read(512)
    bps, fsinfo = struct.unpack_from("<H", bpb, 11)[0], struct.unpack_from("<H", bpb, 48)[0]
    f.seek(fsinfo * bps + 492)
    f.write(struct.pack("<I", 2))
PY
content fragmented $((3 * 1048576 + 1234)) > "$work/fragmented"
mcopy -i "$img" "$work/fragmented" "::DCIM/100MEDIA/执法记录仪_20261206_080000_碎片.MP4"
content video $((2 * 1048576 + 777)) > "$work/video"
mcopy -i "$img" "$work/video" "::DCIM/100MEDIA/执法记录仪_20261206_081500_第二段视频.MP4"
content clip 1500000 > "$work/clip";    mcopy -i "$img" "$work/clip" ::DCIM/100MEDIA/CLIP0001.MP4
content photo 300001 > "$work/photo";   mcopy -i "$img" "$work/photo" "::DCIM/100MEDIA/现场照片 0001.JPG"
content gps 45678 > "$work/gps";        mcopy -i "$img" "$work/gps" ::GPS/20261206.NMEA
content log 9999 > "$work/log";         mcopy -i "$img" "$work/log" "::LOG/设备日志.txt"
: > "$work/empty";                      mcopy -i "$img" "$work/empty" ::LOG/EMPTY.TXT
content deep 4097 > "$work/deep";       mcopy -i "$img" "$work/deep" "::deep/一/二/三/最深的文件.txt"

# mtools reports some failures only on stderr: every file must be there.
listing=$(mdir -i "$img" -/ -b ::)
for f in "DCIM/100MEDIA/执法记录仪_20261206_080000_碎片.MP4" "DCIM/100MEDIA/执法记录仪_20261206_081500_第二段视频.MP4" \
         DCIM/100MEDIA/CLIP0001.MP4 "DCIM/100MEDIA/现场照片 0001.JPG" GPS/20261206.NMEA "LOG/设备日志.txt" LOG/EMPTY.TXT \
         "deep/一/二/三/最深的文件.txt" DCIM/100MEDIA/FRAG1.MP4 DCIM/100MEDIA/FRAG8.MP4; do
  grep -qxF "::/$f" <<< "$listing" || { echo "make-recorder-image.sh: $f is missing from $img" >&2; exit 1; }
done
