"""An exact double-precision model of BT.601/BT.709 NV12 -> RGBA at 1:1 with nearest
chroma (written from the standards' constants, not from CameraView), and test frames."""
import numpy

WEIGHTS = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def gradient(width, height):
    """A tight NV12 frame: luma ramps across, chroma varies by column and row."""
    luma = (numpy.arange(width)[None, :] * 3 + numpy.arange(height)[:, None] * 5) % 220 + 16
    cw, ch = (width + 1) // 2, (height + 1) // 2
    u = 64 + (numpy.arange(cw)[None, :] * 7 + numpy.arange(ch)[:, None] * 2) % 128
    v = 200 - (numpy.arange(cw)[None, :] * 3 + numpy.arange(ch)[:, None] * 9) % 128
    uv = numpy.stack([u, v], axis=-1).reshape(ch, cw * 2)
    return numpy.concatenate([luma.astype(numpy.uint8).ravel(), uv.astype(numpy.uint8).ravel()])


def rgba(frame, width, height, matrix="bt601", range="full"):
    y = frame[:width * height].reshape(height, width).astype(numpy.float64)
    uv = frame[width * height:].reshape((height + 1) // 2, ((width + 1) // 2) * 2).astype(numpy.float64)
    cb = numpy.repeat(numpy.repeat(uv[:, 0::2], 2, axis=0), 2, axis=1)[:height, :width]
    cr = numpy.repeat(numpy.repeat(uv[:, 1::2], 2, axis=0), 2, axis=1)[:height, :width]
    return rgba_of_samples(y, cb, cr, matrix, range)


def rgba_of_samples(y, cb, cr, matrix="bt601", range="full"):
    """RGBA of Y, Cb, Cr code values (doubles, one of each per output pixel)."""
    kr, kb = WEIGHTS[matrix]
    kg = 1 - kr - kb
    cb, cr = cb - 128, cr - 128
    if range == "full":
        y, cb, cr = y / 255, cb / 255, cr / 255
    else:
        y, cb, cr = (y - 16) / 219, cb / 224, cr / 224
    r = y + 2 * (1 - kr) * cr
    b = y + 2 * (1 - kb) * cb
    g = (y - kr * r - kb * b) / kg
    out = numpy.empty(y.shape + (4,), dtype=numpy.uint8)
    for channel, value in enumerate((r, g, b)):
        out[..., channel] = numpy.clip(numpy.floor(value * 255 + 0.5), 0, 255)
    out[..., 3] = 255
    return out


def rgba_half(luma, uv):
    """A 2:1 box filter of tight Y and UV planes (even sizes), exactly: each output pixel's
    four luma samples averaged; chroma (at output resolution) taken at the pixel's centre,
    which left siting puts a quarter of a chroma sample right of its sample (interpolated
    0.75 / 0.25; the last column has no right neighbour and repeats)."""
    height, width = luma.shape
    y = luma.reshape(height // 2, 2, width // 2, 2).astype(numpy.float64).mean(axis=(1, 3))
    chroma = uv.reshape(height // 2, width // 2, 2).astype(numpy.float64)
    right = numpy.concatenate([chroma[:, 1:], chroma[:, -1:]], axis=1)
    sited = 0.75 * chroma + 0.25 * right
    return rgba_of_samples(y, sited[..., 0], sited[..., 1])
