import CCameraView

/// The header is compiled against its implementation: each @_cdecl function must have
/// exactly the type that cameraview.h declares for it (inout arguments admit no
/// conversion), or this file does not build: a signature that drifts on either side is a
/// build error, not a crash in a C caller. Never called.
private func cameraviewHeaderMatchesTheImplementation() {
    func same<Function>(_: inout Function, _: inout Function) {}
    var c0 = CCameraView.cv_device_open, s0 = CameraViewC.cv_device_open
    same(&c0, &s0)
    var c1 = CCameraView.cv_device_adopt, s1 = CameraViewC.cv_device_adopt
    same(&c1, &s1)
    var c2 = CCameraView.cv_device_egl_display, s2 = CameraViewC.cv_device_egl_display
    same(&c2, &s2)
    var c3 = CCameraView.cv_device_close, s3 = CameraViewC.cv_device_close
    same(&c3, &s3)
    var c4 = CCameraView.cv_view_create, s4 = CameraViewC.cv_view_create
    same(&c4, &s4)
    var c5 = CCameraView.cv_view_submit_nv12, s5 = CameraViewC.cv_view_submit_nv12
    same(&c5, &s5)
    var c6 = CCameraView.cv_view_render_to_fbo, s6 = CameraViewC.cv_view_render_to_fbo
    same(&c6, &s6)
    var c7 = CCameraView.cv_view_render_rgba, s7 = CameraViewC.cv_view_render_rgba
    same(&c7, &s7)
    var c8 = CCameraView.cv_view_live_handles, s8 = CameraViewC.cv_view_live_handles
    same(&c8, &s8)
    var c9 = CCameraView.cv_device_live_handles, s9 = CameraViewC.cv_device_live_handles
    same(&c9, &s9)
    var c10 = CCameraView.cv_live_handles_in_process, s10 = CameraViewC.cv_live_handles_in_process
    same(&c10, &s10)
    var c11 = CCameraView.cv_swept_in_process, s11 = CameraViewC.cv_swept_in_process
    same(&c11, &s11)
    var c12 = CCameraView.cv_failed_deletions_in_process, s12 = CameraViewC.cv_failed_deletions_in_process
    same(&c12, &s12)
    var c13 = CCameraView.cv_view_close, s13 = CameraViewC.cv_view_close
    same(&c13, &s13)
    var c15 = CCameraView.cv_view_set_render_options, s15 = CameraViewC.cv_view_set_render_options
    same(&c15, &s15)
    var c16 = CCameraView.cv_view_set_chroma_location, s16 = CameraViewC.cv_view_set_chroma_location
    same(&c16, &s16)
    var c17 = CCameraView.cv_view_submit_dmabuf, s17 = CameraViewC.cv_view_submit_dmabuf
    same(&c17, &s17)
    var c18 = CCameraView.cv_view_last_import_path, s18 = CameraViewC.cv_view_last_import_path
    same(&c18, &s18)
    var c19 = CCameraView.cv_dropped_in_process, s19 = CameraViewC.cv_dropped_in_process
    same(&c19, &s19)
    var c20 = CCameraView.cv_view_render, s20 = CameraViewC.cv_view_render
    same(&c20, &s20)
    var c21 = CCameraView.cv_nv12_default_layout, s21 = CameraViewC.cv_nv12_default_layout
    same(&c21, &s21)
    var c22 = CCameraView.cv_view_connect_visionipc, s22 = CameraViewC.cv_view_connect_visionipc
    same(&c22, &s22)
    var c23 = CCameraView.cv_view_wait_frame, s23 = CameraViewC.cv_view_wait_frame
    same(&c23, &s23)
    var c24 = CCameraView.cv_view_visionipc_connected, s24 = CameraViewC.cv_view_visionipc_connected
    same(&c24, &s24)
    var c25 = CCameraView.cv_visionipc_available_streams, s25 = CameraViewC.cv_visionipc_available_streams
    same(&c25, &s25)
    var c26 = CCameraView.cv_view_visionipc_statistics, s26 = CameraViewC.cv_view_visionipc_statistics
    same(&c26, &s26)
    var c27 = CCameraView.cv_device_adopt_current, s27 = CameraViewC.cv_device_adopt_current
    same(&c27, &s27)
    var c28 = CCameraView.cv_view_draw, s28 = CameraViewC.cv_view_draw
    same(&c28, &s28)
}
