"""Reads a generated .icns and .ico with Debian's Pillow (python3-pil), an independent reader.

usage: check_icons.py ICNS ICO PNG_DIR NAME

Prints one line per icns size, "icns W H SCALE MODE PIXEL_W PIXEL_H SAME", and per ico layer,
"ico W H DIR_BPP ENCODING MODE PIXEL_W PIXEL_H SAME", where ENCODING is "png" or the DIB's raw
pixel layout as Pillow reads it ("BGRX" = 32-bit) and SAME says whether the decoded pixels
equal PNG_DIR/NAME-NxN.png (colour under alpha 0 ignored).
"""

import io
import sys

from PIL import BmpImagePlugin, IcnsImagePlugin, IcoImagePlugin, Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def same(decoded, pixels):
    decoded = decoded.convert("RGBA")
    reference = Image.open(f"{png_dir}/{name}-{pixels}x{pixels}.png").convert("RGBA")
    if decoded.size != reference.size:
        return False
    if decoded.tobytes() == reference.tobytes():
        return True
    return all(
        p == q or (p[3] == 0 and q[3] == 0)
        for p, q in zip(decoded.getdata(), reference.getdata())
    )


icns_path, ico_path, png_dir, name = sys.argv[1:5]

with open(icns_path, "rb") as f:
    icns = IcnsImagePlugin.IcnsFile(f)
    for w, h, scale in sorted(icns.itersizes()):
        im = icns.getimage((w, h, scale))
        print("icns", w, h, scale, im.mode, *im.size, same(im, w * scale))

with open(ico_path, "rb") as f:
    data = f.read()
ico = IcoImagePlugin.IcoFile(io.BytesIO(data))
for index, entry in enumerate(ico.entry):
    payload = data[entry["offset"] : entry["offset"] + entry["size"]]
    if payload.startswith(PNG_MAGIC):
        encoding = "png"
    else:
        encoding = BmpImagePlugin.DibImageFile(io.BytesIO(payload)).tile[0][3][0]
    im = ico.frame(index)
    print(
        "ico", entry["width"], entry["height"], entry["bpp"], encoding, im.mode, *im.size,
        same(im, entry["width"]),
    )
