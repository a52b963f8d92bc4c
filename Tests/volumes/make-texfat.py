#!/usr/bin/env python3
"""Turns an exFAT image made by mkfs.exfat (one FAT, one allocation bitmap) into a TexFAT one:
two FATs and two allocation bitmaps, as Microsoft's exFAT specification (rev. 1.00) lays them
out (§3.1.13 VolumeFlags.ActiveFat, §3.1.16 NumberOfFats, §4 the second FAT right after the
first, §7.1 a second Allocation Bitmap entry with BitmapFlags bit 0 set).

    make-texfat.py SOURCE TARGET --active {0,1} [--stale NAME]

Why a patch: mkfs.exfat (exfatprogs 1.2) cannot make NumberOfFats = 2, and no tool on Linux
writes TexFAT (it comes from Windows Embedded/CE devices). The patch only adds what TexFAT adds;
every file, directory, the up-case table and FAT #1 stay as mkfs.exfat and exfat-fuse wrote
them:

1. The first FAT (FatOffset, FatLength sectors) is copied to FatOffset + FatLength, which must
   lie before ClusterHeapOffset (mkfs.exfat aligns the heap, leaving the room).
2. The second bitmap gets the first run of clusters the first bitmap calls free, chained in the
   FAT and marked in use; its content is the first bitmap's (both then agree).
3. A second Allocation Bitmap entry (0x81, BitmapFlags 1) takes the root directory's
   end-of-directory slot.
4. NumberOfFats = 2 and VolumeFlags.ActiveFat = --active, in the main and the backup boot
   sector; the boot checksum sectors (11, 23) are recomputed (§3.4; VolumeFlags is left out of
   the checksum, NumberOfFats is not).

--stale NAME (a FAT-chained file or directory in the root directory) makes the inactive copies
the state before the transaction that wrote NAME, as TexFAT leaves them between commits: NAME's
chain is cleared from the inactive FAT and its clusters from the inactive bitmap (for a
directory, only its own clusters: what it holds keeps its entries).
"""
import argparse
import struct
import sys


def die(why):
    print(f"make-texfat.py: {why}", file=sys.stderr)
    sys.exit(1)


def boot_checksum(region, bps):
    """§3.4: over sectors 0-10, VolumeFlags (106, 107) and PercentInUse (112) left out."""
    checksum = 0
    for index in range(11 * bps):
        if index in (106, 107, 112):
            continue
        checksum = (((checksum >> 1) | (checksum << 31)) + region[index]) & 0xFFFFFFFF
    return checksum


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--active", type=int, choices=[0, 1], required=True)
    parser.add_argument("--stale", metavar="NAME")
    args = parser.parse_args()
    img = bytearray(open(args.source, "rb").read())

    bps = 1 << img[108]
    cluster_bytes = bps << img[109]
    fat_offset, fat_length, heap_offset, cluster_count, root_cluster = struct.unpack_from("<IIIII", img, 80)
    if img[110] != 1:
        die(f"NumberOfFats is {img[110]}, not 1")
    if fat_offset + 2 * fat_length > heap_offset:
        die("no room for a second FAT before ClusterHeapOffset")
    fats = [fat_offset * bps, (fat_offset + fat_length) * bps]

    def fat(copy, cluster):
        return struct.unpack_from("<I", img, fats[copy] + 4 * cluster)[0]

    def set_fat(copy, cluster, value):
        struct.pack_into("<I", img, fats[copy] + 4 * cluster, value)

    def at(cluster):
        return heap_offset * bps + (cluster - 2) * cluster_bytes

    def chain(first):
        clusters, cluster = [], first
        while 2 <= cluster <= cluster_count + 1 and len(clusters) <= cluster_count:
            clusters.append(cluster)
            cluster = fat(0, cluster)
        return clusters

    # The root directory's 32-byte slots, in order.
    slots = [at(c) + i for c in chain(root_cluster) for i in range(0, cluster_bytes, 32)]
    bitmap = next(((struct.unpack_from("<I", img, s + 20)[0], struct.unpack_from("<Q", img, s + 24)[0])
                   for s in slots if img[s] == 0x81 and img[s + 1] & 1 == 0), None)
    if bitmap is None:
        die("no first Allocation Bitmap entry in the root directory")
    bitmap_clusters = chain(bitmap[0])
    bitmap_length = bitmap[1]
    if len(bitmap_clusters) * cluster_bytes < bitmap_length:
        die("the first bitmap's chain is shorter than its length")

    def bitmap_byte(clusters, index):
        return at(clusters[index // cluster_bytes]) + index % cluster_bytes

    def is_used(clusters, cluster):
        return img[bitmap_byte(clusters, (cluster - 2) // 8)] >> ((cluster - 2) % 8) & 1

    def mark(clusters, cluster, used):
        byte = bitmap_byte(clusters, (cluster - 2) // 8)
        bit = 1 << ((cluster - 2) % 8)
        img[byte] = img[byte] | bit if used else img[byte] & ~bit & 0xFF

    # 2. Room for the second bitmap: the first free run long enough.
    need = -(-bitmap_length // cluster_bytes)
    start, run = None, 0
    for cluster in range(2, cluster_count + 2):
        run = run + 1 if not is_used(bitmap_clusters, cluster) else 0
        if run == need:
            start = cluster - need + 1
            break
    if start is None:
        die(f"no run of {need} free clusters for the second bitmap")
    second = list(range(start, start + need))
    for index, cluster in enumerate(second):
        mark(bitmap_clusters, cluster, True)
        set_fat(0, cluster, second[index + 1] if index + 1 < need else 0xFFFFFFFF)

    # 3. The second bitmap's entry in the end-of-directory slot (the slot after it, if any,
    # stays an end-of-directory mark).
    end = next((i for i, s in enumerate(slots) if img[s] == 0x00), None)
    if end is None:
        die("the root directory has no free slot for the second bitmap entry")
    entry = bytes([0x81, 0x01]) + bytes(18) + struct.pack("<IQ", start, bitmap_length)
    img[slots[end]:slots[end] + 32] = entry

    # 1. FAT #2 is FAT #1 (now holding the second bitmap's chain); the second bitmap is the first.
    img[fats[1]:fats[1] + fat_length * bps] = img[fats[0]:fats[0] + fat_length * bps]
    for index in range(bitmap_length):
        img[bitmap_byte(second, index)] = img[bitmap_byte(bitmap_clusters, index)]

    # --stale: the inactive copies before NAME was written.
    if args.stale:
        inactive = 1 - args.active
        inactive_bitmap = second if inactive == 1 else bitmap_clusters
        stream = None
        for i, s in enumerate(slots):
            if img[s] != 0x85 or i + 2 >= len(slots) or img[slots[i + 1]] != 0xC0:
                continue
            length = img[slots[i + 1] + 3]
            units = b"".join(img[slots[i + 2 + k] + 2:slots[i + 2 + k] + 32] for k in range((length + 14) // 15))
            if units[:2 * length].decode("utf-16-le") == args.stale:
                stream = slots[i + 1]
                break
        if stream is None:
            die(f"no file {args.stale} in the root directory")
        if img[stream + 1] & 2:
            die(f"{args.stale} is NoFatChain: the FAT holds nothing of it")
        first, size = struct.unpack_from("<I", img, stream + 20)[0], struct.unpack_from("<Q", img, stream + 24)[0]
        clusters = chain(first)[: -(-size // cluster_bytes)]
        for cluster in clusters:
            set_fat(inactive, cluster, 0)
            mark(inactive_bitmap, cluster, False)

    # 4. Both boot regions: NumberOfFats, ActiveFat, the checksum sector.
    for region in (0, 12 * bps):
        img[region + 110] = 2
        flags = struct.unpack_from("<H", img, region + 106)[0]
        struct.pack_into("<H", img, region + 106, (flags & ~1) | args.active)
        checksum = boot_checksum(img[region:region + 11 * bps], bps)
        img[region + 11 * bps:region + 12 * bps] = struct.pack("<I", checksum) * (bps // 4)

    with open(args.target, "wb") as out:
        out.write(img)


if __name__ == "__main__":
    main()
