#!/usr/bin/env bash
# Makes an exFAT test image with tools we did not write: mkfs.exfat (exfatprogs) formats it,
# exfat-fuse on a loop device writes the files (there is no kernel exFAT on the test machines).
# Needs root or passwordless sudo for losetup and the FUSE mount.
#
#   make-exfat-image.sh files IMAGE   64 MiB, 4 KiB clusters, label "执法记录仪01": small files,
#                                     long Chinese names, deep directories, an empty file, a
#                                     contiguous (NoFatChain) file and a fragmented file (the
#                                     volume filled, alternate files deleted, a large file written)
#   make-exfat-image.sh big IMAGE     a sparse 4.5 GiB image holding one file over 4 GiB
#   make-exfat-image.sh texfat IMAGE  32 MiB, 4 KiB clusters, the base for make-texfat.py: APPEND.BIN
#                                     written, B.BIN after it, then APPEND.BIN appended to (so
#                                     its clusters are chained in the FAT), CONTIG.BIN, DCIM/一.JPG,
#                                     then ten long-named clips that make DCIM FAT-chained
#
# File contents are keyed AES-CTR streams (deterministic, not zeros), so every file differs.
# The mount and the loop device are released on any exit.
set -euo pipefail
kind=${1:?kind: files, big or texfat}
image=${2:?image path}
SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
work=$(mktemp -d "${TMPDIR:-/tmp}/exfat-image.XXXXXX")
mnt="$work/mnt"; mkdir "$mnt"
loop=
cleanup() {
  if mountpoint -q "$mnt"; then $SUDO umount "$mnt" || true; fi
  if [ -n "$loop" ]; then $SUDO losetup -d "$loop" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# pattern KEY BYTES: BYTES of a keyed pseudo-random stream on stdout.
pattern() {
  head -c "$2" /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$1")" -iv 00000000000000000000000000000000
}

mount_image() {
  loop=$($SUDO losetup -f --show "$image")
  $SUDO mount.exfat-fuse "$loop" "$mnt" >/dev/null
}

case "$kind" in
files)
  rm -f "$image"; truncate -s 64M "$image"
  mkfs.exfat -L "执法记录仪01" -c 4K "$image" >/dev/null
  mount_image
  # A contiguous file on a fresh volume: exfat-fuse marks it NoFatChain.
  pattern 1 300000 > "$mnt/CONTIG.BIN"
  printf 'recorder log\n' > "$mnt/README.TXT"
  : > "$mnt/EMPTY.LOG"
  mkdir -p "$mnt/DCIM/100MEDIA"
  pattern 2 70001 > "$mnt/DCIM/100MEDIA/20261206_080000_执法记录仪_警号012345_城东派出所巡逻视频文件.MP4"
  pattern 3 4096 > "$mnt/DCIM/100MEDIA/一.JPG"
  pattern 4 12345 > "$mnt/DCIM/100MEDIA/Mixed Case Name With Spaces.txt"
  deep="$mnt/L01/L02/L03/L04/L05/L06/L07/L08/L09/L10/L11/L12"
  mkdir -p "$deep"
  pattern 5 5000 > "$deep/深处.TXT"
  # Fragmentation: fill the volume with 128 KiB files, delete every other one, then write a
  # file that only fits in the holes.
  mkdir "$mnt/FILL"
  i=0
  while pattern $((100 + i)) 131072 > "$mnt/FILL/F$(printf %04d $i).BIN" 2>/dev/null; do i=$((i + 1)); done
  rm -f "$mnt/FILL/F$(printf %04d $i).BIN"
  for ((j = 0; j < i; j += 2)); do rm "$mnt/FILL/F$(printf %04d $j).BIN"; done
  pattern 6 $((i / 2 * 131072 / 2 + 777)) > "$mnt/FRAG.MP4"
  ;;
texfat)
  rm -f "$image"; truncate -s 32M "$image"
  mkfs.exfat -L "TEXFAT" -c 4K "$image" >/dev/null
  mount_image
  pattern 21 300000 > "$work/append"
  head -c 100000 "$work/append" > "$mnt/APPEND.BIN"
  pattern 22 50000 > "$mnt/B.BIN"
  tail -c +100001 "$work/append" >> "$mnt/APPEND.BIN"
  pattern 23 70000 > "$mnt/CONTIG.BIN"
  mkdir "$mnt/DCIM"
  pattern 24 4096 > "$mnt/DCIM/一.JPG"
  # DCIM outgrows its first cluster (128 entries) after 一.JPG took the cluster after it, so
  # exfat-fuse gives it a second cluster elsewhere and chains the two in the FAT.
  long=$(printf 'x%.0s' {1..180})
  for i in 1 2 3 4 5 6 7 8 9 10; do pattern $((40 + i)) 1000 > "$mnt/DCIM/CLIP$(printf %02d $i)_$long.MP4"; done
  ;;
big)
  rm -f "$image"; truncate -s 4608M "$image"
  mkfs.exfat -L "BIG" "$image" >/dev/null
  mount_image
  printf 'small\n' > "$mnt/SMALL.TXT"
  mkdir "$mnt/DCIM"
  pattern 7 $((4 * 1024 * 1024 * 1024 + 123457)) > "$mnt/DCIM/BIG.MP4"
  ;;
*)
  echo "unknown kind: $kind" >&2; exit 2 ;;
esac
$SUDO umount "$mnt"
$SUDO losetup -d "$loop"; loop=
