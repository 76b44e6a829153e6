"""A minimal writer of Microsoft Compound File Binary (OLE2) files, for test fixtures only.

Seawall never writes OLE files; its tests need a few (an Outlook .msg, a VBA project inside a
.docm) and no maintained Python library writes new compound files (olefile only modifies
existing streams in place). This writer follows MS-CFB version 3: 512-byte sectors, streams
under 4096 bytes in the mini stream, siblings chained through right-sibling links (valid for
readers; Office itself builds balanced trees). Test-only: it is not part of the package.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


@dataclass
class Node:
    name: str
    data: bytes | None = None  # None for storages
    children: list[Node] = field(default_factory=list)

    def add_stream(self, name: str, data: bytes) -> Node:
        node = Node(name, data)
        self.children.append(node)
        return node

    def add_storage(self, name: str) -> Node:
        node = Node(name)
        self.children.append(node)
        return node


def _chain(start: int, count: int) -> list[int]:
    return [start + i + 1 if i + 1 < count else ENDOFCHAIN for i in range(count)]


def _pad(data: bytes, size: int) -> bytes:
    remainder = len(data) % size
    return data + b"\x00" * ((size - remainder) % size)


def build(root_children: list[Node]) -> bytes:
    """Serialise a tree of storages and streams into compound-file bytes."""
    root = Node("Root Entry", None, root_children)
    entries: list[Node] = []

    def number(node: Node) -> None:
        entries.append(node)
        for child in node.children:
            number(child)

    number(root)
    index = {id(node): i for i, node in enumerate(entries)}

    mini_stream = b""
    mini_fat: list[int] = []
    big_streams: list[tuple[Node, bytes]] = []
    starts: dict[int, int] = {}
    for node in entries[1:]:
        if node.data is None:
            continue
        if len(node.data) < MINI_CUTOFF:
            count = max(1, -(-len(node.data) // MINI_SECTOR)) if node.data else 0
            if count:
                starts[id(node)] = len(mini_fat)
                mini_fat.extend(_chain(len(mini_fat), count))
                mini_stream += _pad(node.data, MINI_SECTOR)
            else:
                starts[id(node)] = ENDOFCHAIN
        else:
            big_streams.append((node, node.data))

    dir_bytes_len = _pad(b"\x00" * (128 * len(entries)), SECTOR)
    dir_sectors = len(dir_bytes_len) // SECTOR
    minifat_bytes = _pad(b"".join(struct.pack("<I", v) for v in mini_fat), SECTOR) if mini_fat else b""
    minifat_sectors = len(minifat_bytes) // SECTOR
    ministream_sectors = len(_pad(mini_stream, SECTOR)) // SECTOR if mini_stream else 0
    big_sectors = sum(len(_pad(d, SECTOR)) // SECTOR for _, d in big_streams)

    fat_sectors = 1
    while True:
        total = fat_sectors + dir_sectors + minifat_sectors + ministream_sectors + big_sectors
        if fat_sectors * (SECTOR // 4) >= total:
            break
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("file too large for this minimal writer (needs DIFAT)")

    fat: list[int] = [FATSECT] * fat_sectors
    dir_start = len(fat)
    fat.extend(_chain(dir_start, dir_sectors))
    minifat_start = len(fat) if minifat_sectors else ENDOFCHAIN
    fat.extend(_chain(len(fat), minifat_sectors))
    ministream_start = len(fat) if ministream_sectors else ENDOFCHAIN
    fat.extend(_chain(len(fat), ministream_sectors))
    body = b""
    for node, data in big_streams:
        count = len(_pad(data, SECTOR)) // SECTOR
        starts[id(node)] = len(fat)
        fat.extend(_chain(len(fat), count))
        body += _pad(data, SECTOR)
    fat.extend([FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat)))

    def entry_bytes(node: Node, position: int) -> bytes:
        name = node.name.encode("utf-16-le") + b"\x00\x00"
        if len(name) > 64:
            raise ValueError(f"name too long: {node.name}")
        kind = 5 if position == 0 else (1 if node.data is None else 2)
        # Siblings: chain each child to the next through the right-sibling link.
        right = NOSTREAM
        for parent in entries:
            positions = [i for i, c in enumerate(parent.children) if c is node]
            if positions:
                at = positions[0]
                if at + 1 < len(parent.children):
                    right = index[id(parent.children[at + 1])]
                break
        child = index[id(node.children[0])] if node.children else NOSTREAM
        if position == 0:
            start = ministream_start if mini_stream else ENDOFCHAIN
            size = len(mini_stream)
        elif node.data is None:
            start, size = 0, 0
        else:
            start = starts.get(id(node), ENDOFCHAIN)
            size = len(node.data)
        return (
            _pad(name, 64)[:64]
            + struct.pack("<HBBIII", len(name), kind, 1, NOSTREAM, right, child)
            + b"\x00" * 16  # CLSID
            + struct.pack("<I", 0)  # state bits
            + b"\x00" * 16  # creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = _pad(b"".join(entry_bytes(node, i) for i, node in enumerate(entries)), SECTOR)
    # Unused directory slots must be empty entries with NOSTREAM links.
    empty = b"\x00" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\x00" * 48
    used = 128 * len(entries)
    directory = directory[:used] + empty * ((len(directory) - used) // 128)

    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, fat_sectors, dir_start, 0, MINI_CUTOFF,
                      minifat_start, minifat_sectors, ENDOFCHAIN, 0)
        + b"".join(struct.pack("<I", v) for v in difat)
    )
    assert len(header) == SECTOR
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    return (header + fat_bytes + directory + minifat_bytes + _pad(mini_stream, SECTOR) + body)
