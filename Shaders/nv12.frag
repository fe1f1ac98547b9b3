#version 300 es
// NV12 -> RGBA. Compiled in one of four variants (a #define is inserted after #version):
//   INTEGER_PLANES     Y as R8UI and UV as RG8UI textures (uploaded frames): exact 8-bit
//                      codes (normalized R8 sampling on llvmpipe is off by ~4e-4)
//   NORMALIZED_PLANES  Y as R8 and UV as GR88 EGLImages (per-plane dma-buf import)
//   EXTERNAL_IMAGE     one NV12 EGLImage; the driver converts to RGB (colour hints)
//   PACKED_INPUT       the packed upload (RGBA8UI: four luma, or two chroma samples, per
//                      texel) drawn at exactly a quarter of the frame's size with the area
//                      filter: one fetch per row of a pixel's 4x4 luma block
// and with one filter (a second #define; the plane variants only, each its own program so
// no fragment pays for a branch on the filter):
//   (none)             the nearest luma and chroma samples: exact codes
//   FILTER_BILINEAR    luma and chroma each interpolated at their true sample positions
//                      (chroma sited by u_chromaOrigin), edges clamped
//   FILTER_AREA        the average of every sample box under the pixel's footprint (the
//                      bounding box of its image in the frame), weighted by overlap,
//                      clamped to the plane
#ifdef EXTERNAL_IMAGE
#extension GL_OES_EGL_image_external_essl3 : require
#endif
precision highp float;
precision highp int;

#if defined(INTEGER_PLANES)
precision highp usampler2D;
uniform usampler2D u_luma;     // width x height
uniform usampler2D u_chroma;   // (U, V), ceil(width/2) x ceil(height/2)
#elif defined(PACKED_INPUT)
precision highp usampler2D;
uniform usampler2D u_luma;     // width/4 x height: luma 4t..4t+3 of a row in texel t
uniform usampler2D u_chroma;   // width/4 x height/2: (U, V) of samples 2t and 2t+1
#elif defined(NORMALIZED_PLANES)
uniform sampler2D u_luma;
uniform sampler2D u_chroma;
#else
uniform samplerExternalOES u_image;
#endif
uniform vec2 u_frameSize;
uniform mat3 u_yuvToRgb;       // per code value, so range scaling is folded in
uniform vec3 u_yuvOffset;      // code values subtracted before the matrix
uniform vec2 u_chromaOrigin;   // frame position of chroma sample (0, 0): its siting
uniform vec4 u_barColor;       // what letterbox bars are painted with
uniform bool u_keepBars;       // leave the bars' pixels as they were instead

in vec3 v_framePos;
out vec4 fragColor;

#if !defined(EXTERNAL_IMAGE) && !defined(PACKED_INPUT)
#if defined(INTEGER_PLANES)
float lumaAt(ivec2 texel) { return float(texelFetch(u_luma, texel, 0).r); }
vec2 chromaAt(ivec2 texel) { return vec2(texelFetch(u_chroma, texel, 0).rg); }
#else
// Normalized sampling is off by up to ~4e-4 on llvmpipe; rounding recovers the code.
float lumaAt(ivec2 texel) { return round(texelFetch(u_luma, texel, 0).r * 255.0); }
vec2 chromaAt(ivec2 texel) { return round(texelFetch(u_chroma, texel, 0).rg * 255.0); }
#endif

#if defined(FILTER_BILINEAR)
// Bilinear between the four samples around `position` (in sample indices), edges clamped.
float bilinearLuma(vec2 position) {
    ivec2 last = ivec2(u_frameSize) - 1;
    vec2 base = floor(position);
    vec2 weight = position - base;
    ivec2 a = clamp(ivec2(base), ivec2(0), last), b = clamp(ivec2(base) + 1, ivec2(0), last);
    return mix(mix(lumaAt(a), lumaAt(ivec2(b.x, a.y)), weight.x),
               mix(lumaAt(ivec2(a.x, b.y)), lumaAt(b), weight.x), weight.y);
}

vec2 bilinearChroma(vec2 position) {
    ivec2 last = (ivec2(u_frameSize) + 1) / 2 - 1;
    vec2 base = floor(position);
    vec2 weight = position - base;
    ivec2 a = clamp(ivec2(base), ivec2(0), last), b = clamp(ivec2(base) + 1, ivec2(0), last);
    return mix(mix(chromaAt(a), chromaAt(ivec2(b.x, a.y)), weight.x),
               mix(chromaAt(ivec2(a.x, b.y)), chromaAt(b), weight.x), weight.y);
}
#endif
#endif

#if defined(FILTER_AREA)
// The average of the samples whose boxes ([i, i + 1) in sample indices) overlap
// [low, high), weighted by the overlap, the span clamped to the plane's `size`.
float boxLuma(vec2 low, vec2 high) {
    low = clamp(low, vec2(0.0), u_frameSize);
    high = clamp(high, vec2(0.0), u_frameSize);
    ivec2 first = ivec2(floor(low)), last = ivec2(ceil(high)) - 1;
    float sum = 0.0, area = 0.0;
    for (int row = first.y; row <= last.y; row++) {
        float wy = min(high.y, float(row + 1)) - max(low.y, float(row));
        for (int column = first.x; column <= last.x; column++) {
            float weight = (min(high.x, float(column + 1)) - max(low.x, float(column))) * wy;
            sum += weight * lumaAt(ivec2(column, row));
            area += weight;
        }
    }
    return sum / area;
}

vec2 boxChroma(vec2 low, vec2 high) {
    vec2 size = vec2((ivec2(u_frameSize) + 1) / 2);
    low = clamp(low, vec2(0.0), size);
    high = clamp(high, vec2(0.0), size);
    ivec2 first = ivec2(floor(low)), last = ivec2(ceil(high)) - 1;
    vec2 sum = vec2(0.0);
    float area = 0.0;
    for (int row = first.y; row <= last.y; row++) {
        float wy = min(high.y, float(row + 1)) - max(low.y, float(row));
        for (int column = first.x; column <= last.x; column++) {
            float weight = (min(high.x, float(column + 1)) - max(low.x, float(column))) * wy;
            sum += weight * chromaAt(ivec2(column, row));
            area += weight;
        }
    }
    return sum / area;
}
#endif

#if defined(PACKED_INPUT)
// Output pixel i averages luma 4i..4i+3 of four rows: texel i of each. Chroma boxes (two
// pixels about their site o, as in FILTER_AREA) 2i, 2i+1 and 2i+2 overlap its footprint
// by 1 + o, 2 and 1 - o pixels, per axis; a box past the plane's edge drops out and the
// rest are renormalised, as the box model clips the footprint to the plane.
float quarterLuma(ivec2 pixel) {
    ivec2 texel = ivec2(pixel.x, 4 * pixel.y);
    uvec4 sum = texelFetch(u_luma, texel, 0) + texelFetch(u_luma, texel + ivec2(0, 1), 0)
              + texelFetch(u_luma, texel + ivec2(0, 2), 0) + texelFetch(u_luma, texel + ivec2(0, 3), 0);
    return float(sum.r + sum.g + sum.b + sum.a) * (1.0 / 16.0);
}

// One chroma row across the three boxes: samples 2i and 2i+1 are texel i, 2i+2 is the
// first sample of texel i+1 (clamped to the row; its weight is 0 past the edge).
vec2 quarterChromaRow(int texel, int row, vec3 across, int lastTexel) {
    uvec4 here = texelFetch(u_chroma, ivec2(texel, row), 0);
    uvec4 next = texelFetch(u_chroma, ivec2(min(texel + 1, lastTexel), row), 0);
    return across.x * vec2(here.rg) + across.y * vec2(here.ba) + across.z * vec2(next.rg);
}

vec2 quarterChroma(ivec2 pixel) {
    ivec2 samples = ivec2(u_frameSize) / 2;  // the frame is whole texels: even in both axes
    vec3 across = vec3(1.0 + u_chromaOrigin.x, 2.0, 2 * pixel.x + 2 < samples.x ? 1.0 - u_chromaOrigin.x : 0.0);
    vec3 down = vec3(1.0 + u_chromaOrigin.y, 2.0, 2 * pixel.y + 2 < samples.y ? 1.0 - u_chromaOrigin.y : 0.0);
    across /= across.x + across.y + across.z;
    down /= down.x + down.y + down.z;
    int lastTexel = samples.x / 2 - 1, row = 2 * pixel.y;
    return down.x * quarterChromaRow(pixel.x, row, across, lastTexel)
         + down.y * quarterChromaRow(pixel.x, row + 1, across, lastTexel)
         + down.z * quarterChromaRow(pixel.x, min(row + 2, samples.y - 1), across, lastTexel);
}
#endif

void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
#if defined(FILTER_AREA)
    // The pixel's footprint in the frame, taken before any branch (derivatives need all
    // four fragments of a quad): half the bounding box of its image.
    vec2 halfFootprint = 0.5 * (abs(dFdx(framePos)) + abs(dFdy(framePos)));
#endif
    // Outside the frame (letterbox bars, behind a projective transform's horizon) gets
    // the bar colour or is left alone; this also keeps texelFetch inside the textures.
    if (v_framePos.z <= 0.0 || any(lessThan(framePos, vec2(0.0))) || any(greaterThanEqual(framePos, u_frameSize))) {
        if (u_keepBars) discard;
        fragColor = u_barColor;
        return;
    }
#if defined(EXTERNAL_IMAGE) || !(defined(FILTER_BILINEAR) || defined(FILTER_AREA) || defined(PACKED_INPUT))
    // A position exactly on a texel edge (every even downscale puts pixel centres there)
    // belongs to the texel on its right/below, as GL_NEAREST's floor() does; the small
    // bias keeps float interpolation error from tipping such ties to the other texel.
    ivec2 texel = ivec2(framePos + 1.0 / 1024.0);
#endif
#if defined(EXTERNAL_IMAGE)
    fragColor = vec4(texture(u_image, (vec2(texel) + 0.5) / u_frameSize).rgb, 1.0);
#else
#if defined(PACKED_INPUT)
    // Pixel centres fall at 4i + 2: two frame pixels from either neighbour's block.
    ivec2 pixel = ivec2(framePos) / 4;
    float luma = quarterLuma(pixel);
    vec2 chroma = quarterChroma(pixel);
#elif defined(FILTER_BILINEAR)
    // Sample i of a plane sits at frame position origin + i * spacing.
    float luma = bilinearLuma(framePos - 0.5);
    vec2 chroma = bilinearChroma((framePos - u_chromaOrigin) * 0.5);
#elif defined(FILTER_AREA)
    // Luma box i spans frame [i, i + 1); chroma box i spans 2 pixels about its site.
    vec2 low = framePos - halfFootprint, high = framePos + halfFootprint;
    float luma = boxLuma(low, high);
    vec2 chroma = boxChroma((low - u_chromaOrigin) * 0.5 + 0.5, (high - u_chromaOrigin) * 0.5 + 0.5);
#else
    float luma = lumaAt(texel);
    vec2 chroma = chromaAt(texel >> 1);
#endif
    fragColor = vec4(clamp(u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset), 0.0, 1.0), 1.0);
#endif
}
