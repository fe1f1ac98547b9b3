#!/usr/bin/env python3
"""Copies kernel modules and their dependency closure, decompressed, into an initramfs.

usage: collect-modules.py MODULES_ROOT OUTDIR MODULE...
MODULES_ROOT is lib/modules/VERSION of an unpacked Debian kernel package. Writes the
.ko files and OUTDIR/load_order.txt (dependencies first); built-in modules are skipped.
"""
import lzma
import os
import sys

modules_root, outdir, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]


def canonical(name):
    return name.replace("-", "_")


paths = {}
for folder, _, files in os.walk(os.path.join(modules_root, "kernel")):
    for file in files:
        if ".ko" in file:
            paths[canonical(file.split(".ko")[0])] = os.path.join(folder, file)
with open(os.path.join(modules_root, "modules.builtin")) as builtin_list:
    builtin = {canonical(os.path.basename(line.strip()).split(".ko")[0]) for line in builtin_list}

os.makedirs(outdir, exist_ok=True)
order, seen = [], set()


def load(path):
    with open(path, "rb") as file:
        data = file.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def visit(name):
    name = canonical(name)
    if name in seen or name in builtin:
        return
    seen.add(name)
    if name not in paths:
        sys.exit(f"collect-modules: no module {name}")
    data = load(paths[name])
    for field in data.split(b"\0"):
        if field.startswith(b"depends="):
            for dependency in filter(None, field[8:].decode().split(",")):
                visit(dependency)
    file_name = os.path.basename(paths[name]).replace(".xz", "")
    with open(os.path.join(outdir, file_name), "wb") as out:
        out.write(data)
    order.append(file_name)


for module in wanted:
    visit(module)
with open(os.path.join(outdir, "load_order.txt"), "w") as out:
    out.write("\n".join(order) + "\n")
