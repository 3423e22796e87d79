"""The model image's copier: a statically linked busybox (Debian's busybox-static), checked before use.

A model image has no base, so the copier must run with nothing around it: no dynamic loader, no libc.
`static_elf_architecture` reads the ELF header and program headers (System V ABI: a dynamically linked
executable has a ``PT_INTERP`` segment naming its loader) and answers the OCI architecture.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path

from tritonship.errors import InfraError
from tritonship.image.layer_tar import TarItem, WrittenLayer, write_layer
from tritonship.image.modelcar import COPIER

BUSYBOX = "/bin/busybox"  # Debian busybox-static
BUSYBOX_ENV = "TRITONSHIP_BUSYBOX"  # another statically linked busybox
_MACHINES = {0x3E: "amd64", 0xB7: "arm64", 0x15: "ppc64le", 0x16: "s390x"}
_PT_INTERP = 3


def static_elf_architecture(header: bytes, program_headers: bytes) -> str | None:
    """OCI architecture of a statically linked 64-bit little-endian ELF executable, else None. Pure.

    `header` is the file's first 64 bytes; `program_headers` its program header table.
    """
    if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        return None
    machine = struct.unpack_from("<H", header, 18)[0]
    count, size = struct.unpack_from("<H", header, 56)[0], struct.unpack_from("<H", header, 54)[0]
    if len(program_headers) < count * size:
        return None
    for i in range(count):
        if struct.unpack_from("<I", program_headers, i * size)[0] == _PT_INTERP:
            return None
    return _MACHINES.get(machine)


def copier_path(environ: Mapping[str, str]) -> Path:
    """`TRITONSHIP_BUSYBOX` when set (in the ProcessEnv the CLI read), else Debian's /bin/busybox."""
    return Path(environ.get(BUSYBOX_ENV) or BUSYBOX)


def copier_architecture(path: Path) -> str:
    """The OCI architecture of the copier at `path`; InfraError when it is missing or not static."""
    try:
        with path.open("rb") as handle:
            header = handle.read(64)
            if len(header) < 64 or header[:4] != b"\x7fELF":
                raise InfraError(f"{path}: not an ELF executable; the model image needs a static busybox")
            offset = struct.unpack_from("<Q", header, 32)[0]
            count, size = struct.unpack_from("<H", header, 56)[0], struct.unpack_from("<H", header, 54)[0]
            handle.seek(offset)
            table = handle.read(count * size)
    except OSError as exc:
        raise InfraError(f"{path}: the model image's copier is missing ({exc.strerror})",
                         hint=f"apt-get install busybox-static, or point {BUSYBOX_ENV} at a static busybox") from exc
    architecture = static_elf_architecture(header, table)
    if architecture is None:
        raise InfraError(f"{path}: not a statically linked 64-bit executable; it could not run in a model image",
                         hint="apt-get install busybox-static (Debian's busybox is dynamically linked)")
    return architecture


def write_copier_layer(path: Path, busybox: Path) -> WrittenLayer:
    """The layer holding the copier at modelcar.COPIER (0755, with its parent directories)."""
    parts = COPIER.strip("/").split("/")
    items = [TarItem("/".join(parts[:i]), 0o755) for i in range(1, len(parts))]
    items.append(TarItem("/".join(parts), 0o755, busybox, busybox.stat().st_size))
    return write_layer(path, items, "copier")
