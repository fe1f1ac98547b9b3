// The external NV12 image, converted by the driver, sampled at the nearest texel.
void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    if (paintedBars(framePos)) return;
    fragColor = vec4(texture(u_image, (vec2(nearestTexel(framePos)) + 0.5) / u_frameSize).rgb, 1.0);
}
