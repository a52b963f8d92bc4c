#!/usr/bin/env bash
# Makes a FAT disk image with tools we did not write (mkfs.vfat from dosfstools, mtools,
# sfdisk from util-linux), for the Volumes tests to read and compare with The Sleuth Kit.
#
#   make-image.sh KIND DIR
#
# writes DIR/image.img and DIR/volumes.txt: one line per volume, the volume's first 512-byte
# sector (what `fls -o` takes). KIND is one of
#   fat12 fat16-s1 fat16-s4 fat32-s1 fat32-s8 fat32-s64 fat32-4k mbr gpt
# or "bigfat": FAT32 on a sparse 40 GiB image at 4 KiB clusters, whose two FATs are 40 MiB each
# (a 128-256 GiB card at 32 KiB clusters has FATs of 16-32 MiB); only the FATs and the tree's
# clusters take disk space (about 80 MiB);
# or "gbk": 8.3-only names in code page 936 (no long names), with mtools' own listing of them in
# DIR/names.txt;
# or "small": a 1 MiB FAT12 volume of 512-byte clusters holding A.BIN and B.BIN (three
# clusters each), SUB/CHILD/ and "SUB/Long File Name.txt", for the hand-damaged cases.
# Every volume gets the same tree: 8.3-only names, lower-case 8.3 names, long Chinese names
# (mtools cannot write characters outside the BMP: those are unit-tested), an empty file, a hidden, system, read-only file of exactly one cluster, a deep
# directory chain and a fragmented file (small files written, every other one deleted, then a
# large file copied into the holes).
set -euo pipefail
kind=$1 dir=$2
export MTOOLS_SKIP_CHECK=1 LANG=C.UTF-8 LC_ALL=C.UTF-8
mkfs=/usr/sbin/mkfs.vfat
sfdisk=/usr/sbin/sfdisk
img=$dir/image.img
work=$dir/files
mkdir -p "$work"
rm -f "$img" "$dir/volumes.txt"

# content NAME BYTES: deterministic pseudo-random bytes (AES-CTR keyed by NAME).
content() {
  local key
  key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
  head -c "$2" /dev/zero | openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000
}

# restart_allocation IMG OFFSET: on FAT32, sets FSInfo's next-free hint to cluster 2.
# mtools allocates from that hint, so without this a FAT32 volume never reuses the holes that
# deletions leave; 2 is a value the hint legitimately takes (Windows wraps around to it).
restart_allocation() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
path, offset = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    f.seek(offset); bpb = f.read(512)
    if struct.unpack_from('<H', bpb, 22)[0] != 0:
        sys.exit(0)  # FAT12/16: no FSInfo
    bps, fsinfo = struct.unpack_from('<H', bpb, 11)[0], struct.unpack_from('<H', bpb, 48)[0]
    f.seek(offset + fsinfo * bps + 492); f.write(struct.pack('<I', 2))
PY
}

# populate IMG OFFSET CLUSTER_BYTES: the tree, on the volume at byte OFFSET of IMG.
populate() {
  local img=$1 offset=$2 cluster=$3 i t=$1
  [ "$offset" = 0 ] || t="$img@@$offset"
  mmd -i "$t" ::DCIM ::DCIM/100MEDIA ::GPS ::deep ::deep/d1 ::deep/d1/d2 ::deep/d1/d2/d3 \
      ::deep/d1/d2/d3/d4 ::deep/d1/d2/d3/d4/d5 ::deep/d1/d2/d3/d4/d5/d6 ::deep/d1/d2/d3/d4/d5/d6/d7
  # Fragmentation: eight files of three clusters, every other one deleted, then a large file
  # that must fill the holes.
  for i in 1 2 3 4 5 6 7 8; do
    content "frag$i" $((cluster * 3)) > "$work/frag$i"
    mcopy -i "$t" "$work/frag$i" "::DCIM/FRAG$i.BIN"
  done
  mdel -i "$t" ::DCIM/FRAG2.BIN ::DCIM/FRAG4.BIN ::DCIM/FRAG6.BIN
  restart_allocation "$img" "$offset"
  content big $((cluster * 20 + 777)) > "$work/big"
  mcopy -i "$t" "$work/big" "::DCIM/100MEDIA/执法记录仪_20240101_第一段视频.MP4"
  content upper 5000 > "$work/upper";   mcopy -i "$t" "$work/upper" ::DCIM/100MEDIA/CLIP0001.MP4
  content lower 1234 > "$work/lower";   mcopy -i "$t" "$work/lower" ::GPS/track.txt
  content emoji 3333 > "$work/emoji";   mcopy -i "$t" "$work/emoji" "::GPS/录像 测试 name.log"
  content exact "$cluster" > "$work/exact"; mcopy -i "$t" "$work/exact" ::EXACT.BIN
  mattrib -i "$t" +h +s +r ::EXACT.BIN
  : > "$work/empty";                    mcopy -i "$t" "$work/empty" ::EMPTY.TXT
  content deep 777 > "$work/deep";      mcopy -i "$t" "$work/deep" "::deep/d1/d2/d3/d4/d5/d6/d7/最深的文件.txt"
  content mixed 4097 > "$work/mixed";   mcopy -i "$t" "$work/mixed" "::Mixed Case Long Name.Jpeg"
}

# superfloppy SIZE_KIB FATBITS SECTORS_PER_CLUSTER [SECTOR_SIZE]
superfloppy() {
  local sector=${4:-512}
  "$mkfs" -C -F "$2" -s "$3" -S "$sector" -n RECORDER -i 1234ABCD "$img" "$1" > /dev/null 2>&1
  populate "$img" 0 $(($3 * sector))
  echo 0 > "$dir/volumes.txt"
}

case $kind in
  fat12)     superfloppy 1440 12 1 ;;
  fat16-s1)  superfloppy 16384 16 1 ;;
  fat16-s4)  superfloppy 32768 16 4 ;;
  fat32-s1)  superfloppy 40960 32 1 ;;
  fat32-s8)  superfloppy 307200 32 8 ;;
  fat32-s64) superfloppy 2150400 32 64 ;;
  fat32-4k)  superfloppy 307200 32 1 4096 ;;
  bigfat)    superfloppy 41943040 32 8 ;;
  small)
    "$mkfs" -C -F 12 -s 1 -n SMALL "$img" 1024 > /dev/null 2>&1
    content a 1536 > "$work/a"; mcopy -i "$img" "$work/a" ::A.BIN
    content b 1536 > "$work/b"; mcopy -i "$img" "$work/b" ::B.BIN
    mmd -i "$img" ::SUB ::SUB/CHILD
    content l 700 > "$work/l"; mcopy -i "$img" "$work/l" "::SUB/Long File Name.txt"
    echo 0 > "$dir/volumes.txt"
    ;;
  mbr|gpt)
    truncate -s 80M "$img"
    if [ "$kind" = mbr ]; then
      printf 'label: dos\nstart=2048, size=32768, type=6\nstart=36864, size=90112, type=c\n' | "$sfdisk" -q "$img"
    else
      printf 'label: gpt\nstart=2048, size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\nstart=36864, size=90112, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' | "$sfdisk" -q "$img"
    fi
    "$mkfs" -F 16 -s 2 --offset 2048 -n FIRST "$img" 16384 > /dev/null 2>&1
    "$mkfs" -F 32 -s 1 --offset 36864 -n SECOND "$img" 45056 > /dev/null 2>&1
    populate "$img" $((2048 * 512)) 1024
    populate "$img" $((36864 * 512)) 512
    printf '2048\n36864\n' > "$dir/volumes.txt"
    ;;
  gbk)
    # 8.3-only names in code page 936 (GBK), as Chinese firmware writes them without long
    # names: mtools told the code page (default_codepage) and not to write VFAT entries. mtools
    # shortens some names its own way, so what it wrote is taken from its own listing (mdir in
    # cp936, printed as UTF-8) into names.txt, the reference the reader is compared with.
    "$mkfs" -C -F 12 -s 1 -n RECORDER "$img" 1024 > /dev/null 2>&1
    printf 'mtools_skip_check=1\ndefault_codepage=936\n' > "$dir/mtoolsrc"
    mmd -i "$img" ::DCIM
    i=0
    for name in "视频.MP4" "录.MP4" "乗.TXT" "DCIM/执法.JPG" "DCIM/宓.JPG" "README.TXT"; do
      i=$((i + 1)); content "gbk$i" $((700 * i)) > "$work/gbk$i"
      MTOOLSRC="$dir/mtoolsrc" MTOOLS_NO_VFAT=1 mcopy -i "$img" "$work/gbk$i" "::$name"
    done
    MTOOLSRC="$dir/mtoolsrc" mdir -/ -b -i "$img" :: | sed -n 's|^::/||p' | grep -v '/$' | sort > "$dir/names.txt"
    echo 0 > "$dir/volumes.txt"
    ;;
  *) echo "make-image.sh: unknown kind $kind" >&2; exit 2 ;;
esac
