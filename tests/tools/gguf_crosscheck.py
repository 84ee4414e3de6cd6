"""Cross-checks lockstep's GGUF reader against the PyPI `gguf` package on one file.

Every metadata entry (key order, type, value: strings byte for byte, floats bit for bit),
every tensor info (name, type, dims, offset, size), the alignment and data offset, and every
tensor's dequantized float32 values bit for bit (gguf.quants.dequantize against lockstep's
dequantize: both are the exact ggml formulas, so no tolerance). Reads lockstep's side from
tests/tools/gguf_dump.cpp. Exit 0 when all agree, 1 with the first disagreement otherwise.

usage: gguf_crosscheck.py GGUF_DUMP_BINARY MODEL.gguf
"""
import json
import subprocess
import sys

import numpy as np
from gguf import GGUFReader, GGUFValueType
from gguf.quants import dequantize

SCALAR_NAMES = {
    GGUFValueType.UINT8: "uint8", GGUFValueType.INT8: "int8", GGUFValueType.UINT16: "uint16",
    GGUFValueType.INT16: "int16", GGUFValueType.UINT32: "uint32", GGUFValueType.INT32: "int32",
    GGUFValueType.FLOAT32: "float32", GGUFValueType.BOOL: "bool", GGUFValueType.STRING: "string",
    GGUFValueType.UINT64: "uint64", GGUFValueType.INT64: "int64", GGUFValueType.FLOAT64: "float64",
}


def scalar_json(part: np.ndarray, value_type: GGUFValueType):
    """One value as gguf_dump writes it: strings as hex, floats as their bit patterns."""
    if value_type == GGUFValueType.STRING:
        return part.tobytes().hex()
    if value_type == GGUFValueType.FLOAT32:
        return int(part.view(np.uint32)[0])
    if value_type == GGUFValueType.FLOAT64:
        return int(part.view(np.uint64)[0])
    if value_type == GGUFValueType.BOOL:
        return bool(part[0])
    return int(part[0])


def expected_metadata(reader: GGUFReader):
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue  # the header, which gguf-py lists as pseudo-fields
        if field.types[0] == GGUFValueType.ARRAY:
            if len(field.types) != 2:
                raise SystemExit(f"{name}: nested arrays are not cross-checked")
            element = field.types[1]
            values = [scalar_json(field.parts[i], element) for i in field.data]
            yield {"key": name, "type": "array of " + SCALAR_NAMES[element], "value": values}
        else:
            value = scalar_json(field.parts[field.data[0]], field.types[0])
            yield {"key": name, "type": SCALAR_NAMES[field.types[0]], "value": value}


def expected_tensors(reader: GGUFReader):
    for t in reader.tensors:
        yield {"tensor": t.name, "type": t.tensor_type.name, "dims": [int(d) for d in t.shape],
               "offset": int(t.data_offset - reader.data_offset), "n_bytes": int(t.n_bytes)}


def compare_lists(what: str, ours: list, theirs: list) -> bool:
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            print(f"{what} #{i} differs:\n  lockstep: {str(a)[:300]}\n  gguf-py:  {str(b)[:300]}")
            return False
    if len(ours) != len(theirs):
        print(f"{what}: lockstep has {len(ours)}, gguf-py {len(theirs)}")
        return False
    return True


def compare_floats(dump: str, path: str, reader: GGUFReader) -> bool:
    process = subprocess.Popen([dump, path, "floats"], stdout=subprocess.PIPE)
    total = 0
    for t in reader.tensors:
        theirs = np.ascontiguousarray(dequantize(t.data, t.tensor_type), dtype=np.float32)
        theirs = theirs.reshape(-1).view(np.uint32)
        raw = process.stdout.read(theirs.size * 4)
        ours = np.frombuffer(raw, dtype=np.uint32)
        if ours.size != theirs.size:
            print(f"tensor {t.name}: lockstep wrote {ours.size} floats, expected {theirs.size}")
            process.kill()
            return False
        diff = np.nonzero(ours != theirs)[0]
        if diff.size:
            i = int(diff[0])
            a, b = ours[i:i + 1].view(np.float32)[0], theirs[i:i + 1].view(np.float32)[0]
            print(f"tensor {t.name} ({t.tensor_type.name}): {diff.size} floats differ, first "
                  f"at element {i}: lockstep {a!r} (0x{ours[i]:08x}), gguf-py {b!r} "
                  f"(0x{theirs[i]:08x})")
            process.kill()
            return False
        total += theirs.size
    if process.stdout.read(1) or process.wait() != 0:
        print("gguf_dump floats: extra output or a non-zero exit")
        return False
    print(f"dequantized floats: {len(reader.tensors)} tensors, {total} floats, all bit-identical")
    return True


def main() -> int:
    dump, path = sys.argv[1], sys.argv[2]
    reader = GGUFReader(path)
    lines = [json.loads(line) for line in
             subprocess.run([dump, path, "meta"], check=True, capture_output=True).stdout.splitlines()]
    ours_meta = [line for line in lines if "key" in line]
    ours_tensors = [line for line in lines if "tensor" in line]
    layout = lines[-1]
    ok = compare_lists("metadata entry", ours_meta, list(expected_metadata(reader)))
    ok = compare_lists("tensor info", ours_tensors, list(expected_tensors(reader))) and ok
    theirs_layout = {"alignment": int(reader.alignment), "data_offset": int(reader.data_offset)}
    if layout != theirs_layout:
        print(f"layout differs: lockstep {layout}, gguf-py {theirs_layout}")
        ok = False
    if ok:
        print(f"metadata: {len(ours_meta)} entries identical; tensor infos: {len(ours_tensors)} "
              f"identical; alignment {layout['alignment']}, data at byte {layout['data_offset']}")
    ok = compare_floats(dump, path, reader) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
