// What the per-pixel NV12 -> RGBA programs share: each is this part, compiled after a
// #define of its sampling mode, then its own main (nv12_nearest, nv12_bilinear,
// nv12_area, nv12_external, nv12_quarter). The modes:
//   INTEGER_PLANES     Y as R8UI and UV as RG8UI textures (uploaded frames): exact 8-bit
//                      codes (normalized R8 sampling on llvmpipe is off by ~4e-4)
//   NORMALIZED_PLANES  Y as R8 and UV as GR88 EGLImages (per-plane dma-buf import)
//   EXTERNAL_IMAGE     one NV12 EGLImage; the driver converts to RGB (colour hints)
//   PACKED_INPUT       the packed upload (RGBA8UI: four luma, or two chroma samples, per
//                      texel) drawn a pixel at a time (any filter, and nv12_quarter)
#ifdef EXTERNAL_IMAGE
#extension GL_OES_EGL_image_external_essl3 : require
#endif
precision highp float;
precision highp int;

#if defined(INTEGER_PLANES) || defined(PACKED_INPUT)
precision highp usampler2D;
uniform usampler2D u_luma;     // width x height (PACKED_INPUT: width/4 x height, 4 samples a texel)
uniform usampler2D u_chroma;   // (U, V), ceil(width/2) x ceil(height/2) (PACKED_INPUT: 2 pairs a texel)
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

#if defined(INTEGER_PLANES) || defined(NORMALIZED_PLANES) || defined(PACKED_INPUT)
#if defined(INTEGER_PLANES)
float lumaAt(ivec2 texel) { return float(texelFetch(u_luma, texel, 0).r); }
vec2 chromaAt(ivec2 texel) { return vec2(texelFetch(u_chroma, texel, 0).rg); }
#elif defined(PACKED_INPUT)
// Sample x of a row is component x % 4 of luma texel x / 4; pair x of chroma texel x / 2.
float lumaAt(ivec2 at) { return float(texelFetch(u_luma, ivec2(at.x >> 2, at.y), 0)[at.x & 3]); }
vec2 chromaAt(ivec2 at) {
    uvec4 pairs = texelFetch(u_chroma, ivec2(at.x >> 1, at.y), 0);
    return vec2((at.x & 1) == 0 ? pairs.rg : pairs.ba);
}
#else
// Normalized sampling is off by up to ~4e-4 on llvmpipe; rounding recovers the code.
float lumaAt(ivec2 texel) { return round(texelFetch(u_luma, texel, 0).r * 255.0); }
vec2 chromaAt(ivec2 texel) { return round(texelFetch(u_chroma, texel, 0).rg * 255.0); }
#endif

// Plane 0 is luma (its code in .x), plane 1 chroma: one filter serves both planes (the
// plane is a constant at every call, so the choice folds away).
vec2 planeAt(int plane, ivec2 texel) { return plane == 0 ? vec2(lumaAt(texel), 0.0) : chromaAt(texel); }
ivec2 planeSize(int plane) { return plane == 0 ? ivec2(u_frameSize) : (ivec2(u_frameSize) + 1) / 2; }
#endif

// Outside the frame (letterbox bars, behind a projective transform's horizon) gets the bar
// colour or is left alone; true there. This also keeps texelFetch inside the textures.
bool paintedBars(vec2 framePos) {
    if (v_framePos.z <= 0.0 || any(lessThan(framePos, vec2(0.0))) || any(greaterThanEqual(framePos, u_frameSize))) {
        if (u_keepBars) discard;
        fragColor = u_barColor;
        return true;
    }
    return false;
}

// A position exactly on a texel edge (every even downscale puts pixel centres there)
// belongs to the texel on its right/below, as GL_NEAREST's floor() does; the small bias
// keeps float interpolation error from tipping such ties to the other texel.
ivec2 nearestTexel(vec2 framePos) { return ivec2(framePos + 1.0 / 1024.0); }

vec4 toRGBA(float luma, vec2 chroma) {
    return vec4(clamp(u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset), 0.0, 1.0), 1.0);
}
