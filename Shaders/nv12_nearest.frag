// The nearest luma and chroma samples: exact codes.
void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    if (paintedBars(framePos)) return;
    ivec2 texel = nearestTexel(framePos);
    fragColor = toRGBA(lumaAt(texel), chromaAt(texel >> 1));
}
