//! Pan and zoom of the graph view: the SVG viewBox as plain arithmetic.

/// The visible region of the drawing, in drawing units (an SVG viewBox).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Closest and farthest zoom, in screen pixels per drawing unit.
pub const MIN_SCALE: f64 = 0.05;
pub const MAX_SCALE: f64 = 4.0;
/// Below this scale the view is an overview (see [`Viewport::is_overview`]).
pub const OVERVIEW_SCALE: f64 = 0.23;
impl Viewport {
    /// Show a `content_width` × `content_height` drawing in a frame of that many pixels:
    /// all of it, centred, never blown up past 1.1×. Only a drawing too large to fit even
    /// at [`MIN_SCALE`] is shown from its start (pan or collapse to see the rest).
    pub fn fit(
        content_width: f64,
        content_height: f64,
        frame_width: f64,
        frame_height: f64,
    ) -> Viewport {
        let frame_width = frame_width.max(1.0);
        let frame_height = frame_height.max(1.0);
        let scale = (frame_width / content_width.max(1.0))
            .min(frame_height / content_height.max(1.0))
            .clamp(MIN_SCALE, 1.1);
        let width = frame_width / scale;
        let height = frame_height / scale;
        let centre = |content: f64, visible: f64| {
            if content <= visible {
                (content - visible) / 2.0
            } else {
                0.0
            }
        };
        Viewport {
            x: centre(content_width, width),
            y: centre(content_height, height),
            width,
            height,
        }
    }

    /// Screen pixels per drawing unit in a frame `frame_width` pixels wide.
    pub fn scale(&self, frame_width: f64) -> f64 {
        frame_width / self.width
    }

    /// Whether the view is an overview: so far out that a box's 13 px numbers would be
    /// under 3 px on screen. The graph view then draws boxes and edges without their text,
    /// which nobody could read and which would cost the browser most of each step's paint
    /// in a large graph; zooming in brings the text back.
    pub fn is_overview(&self, frame_width: f64) -> bool {
        self.scale(frame_width) < OVERVIEW_SCALE
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the drawing point `(ax, ay)` where it is on
    /// screen, within [`MIN_SCALE`]..[`MAX_SCALE`].
    pub fn zoom(&self, factor: f64, ax: f64, ay: f64, frame_width: f64) -> Viewport {
        if !factor.is_finite() || factor <= 0.0 {
            return *self;
        }
        let scale = (self.scale(frame_width) * factor).clamp(MIN_SCALE, MAX_SCALE);
        let ratio = self.scale(frame_width) / scale;
        Viewport {
            x: ax - (ax - self.x) * ratio,
            y: ay - (ay - self.y) * ratio,
            width: self.width * ratio,
            height: self.height * ratio,
        }
    }

    /// Move the drawing by `(dx, dy)` screen pixels.
    pub fn pan(&self, dx: f64, dy: f64, frame_width: f64) -> Viewport {
        let scale = self.scale(frame_width);
        Viewport {
            x: self.x - dx / scale,
            y: self.y - dy / scale,
            ..*self
        }
    }

    /// The drawing point under the screen point `(px, py)` of the frame.
    pub fn to_drawing(&self, px: f64, py: f64, frame_width: f64) -> (f64, f64) {
        let scale = self.scale(frame_width);
        (self.x + px / scale, self.y + py / scale)
    }

    /// Whether the whole `content_width` × `content_height` drawing is in view.
    pub fn shows_all(&self, content_width: f64, content_height: f64) -> bool {
        const SLACK: f64 = 1.0;
        self.x <= SLACK
            && self.y <= SLACK
            && self.x + self.width >= content_width - SLACK
            && self.y + self.height >= content_height - SLACK
    }

    /// The same zoom, moved so the drawing point `(x, y)` is in the middle.
    pub fn centred_at(&self, x: f64, y: f64) -> Viewport {
        if !x.is_finite() || !y.is_finite() {
            return *self;
        }
        Viewport {
            x: x - self.width / 2.0,
            y: y - self.height / 2.0,
            ..*self
        }
    }

    /// The `viewBox` attribute value.
    pub fn view_box(&self) -> String {
        format!(
            "{:.1} {:.1} {:.1} {:.1}",
            self.x, self.y, self.width, self.height
        )
    }
}

/// The size of a `width` × `height` drawing scaled to fit `max_width` × `max_height`
/// (a minimap), at least 24 units either way.
pub fn fitted_size(width: f64, height: f64, max_width: f64, max_height: f64) -> (f64, f64) {
    let scale = (max_width / width.max(1.0)).min(max_height / height.max(1.0));
    ((width * scale).max(24.0), (height * scale).max(24.0))
}

/// The graph's frame: where it is on screen and its size in layout pixels. When an ancestor
/// is scaled by a CSS transform (a slide deck fitting its slide to the window), a layout
/// pixel is `scale` screen pixels; pointer positions arrive in screen pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// The frame's top-left corner on screen.
    pub left: f64,
    pub top: f64,
    /// The frame's size in layout pixels.
    pub width: f64,
    pub height: f64,
    /// Screen pixels per layout pixel.
    pub scale: f64,
}

impl Frame {
    /// Before the frame is laid out.
    pub const DEFAULT: Frame = Frame {
        left: 0.0,
        top: 0.0,
        width: 900.0,
        height: 480.0,
        scale: 1.0,
    };

    /// The screen point `(client_x, client_y)` in layout pixels from the frame's corner.
    pub fn point(&self, client_x: i32, client_y: i32) -> (f64, f64) {
        (
            (f64::from(client_x) - self.left) / self.scale,
            (f64::from(client_y) - self.top) / self.scale,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimap_keeps_the_drawing_aspect_within_its_box() {
        let (w, h) = fitted_size(3000.0, 600.0, 180.0, 110.0);
        assert_eq!(w, 180.0);
        assert!((h - 36.0).abs() < 1e-9);
        let (w, h) = fitted_size(400.0, 2000.0, 180.0, 110.0);
        assert_eq!((w, h), (24.0, 110.0));
    }

    #[test]
    fn a_fitted_view_shows_all_and_a_zoomed_one_does_not() {
        let fitted = Viewport::fit(3000.0, 300.0, 600.0, 400.0);
        assert!(fitted.shows_all(3000.0, 300.0));
        let zoomed = fitted.zoom(4.0, 1500.0, 150.0, 600.0);
        assert!(!zoomed.shows_all(3000.0, 300.0));
        let moved = zoomed.centred_at(100.0, 50.0);
        assert_eq!((moved.width, moved.height), (zoomed.width, zoomed.height));
        assert_eq!(moved.x + moved.width / 2.0, 100.0);
        assert_eq!(moved.y + moved.height / 2.0, 50.0);
        assert_eq!(moved.centred_at(f64::NAN, 0.0), moved);
    }

    #[test]
    fn far_out_is_an_overview_and_zooming_in_leaves_it() {
        // A 3,000-unit drawing in a 600 px frame: 0.2 px per unit, 13 px text at 2.6 px.
        let mut view = Viewport::fit(3000.0, 300.0, 600.0, 400.0);
        assert!(view.is_overview(600.0));
        while view.is_overview(600.0) {
            view = view.zoom(1.25, 0.0, 0.0, 600.0);
        }
        assert!(view.scale(600.0) * 13.0 >= 3.0);
        // A small graph fitted is never one.
        assert!(!Viewport::fit(400.0, 200.0, 600.0, 400.0).is_overview(600.0));
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_small_drawing_is_centred_whole() {
        let v = Viewport::fit(400.0, 200.0, 800.0, 400.0);
        assert!(close(v.scale(800.0), 1.1), "never blown up past 1.1×");
        assert!(v.x < 0.0 && v.x + v.width > 400.0 && close(v.x + v.width / 2.0, 200.0));
    }

    #[test]
    fn a_drawing_larger_than_the_frame_is_shrunk_to_fit_whole() {
        let v = Viewport::fit(2400.0, 900.0, 800.0, 600.0);
        assert!(close(v.scale(800.0), 800.0 / 2400.0));
        assert!(v.x <= 0.0 && v.x + v.width >= 2400.0);
        assert!(v.y <= 0.0 && v.y + v.height >= 900.0);
        // A phone: the frame is tall and narrow, the width decides.
        let v = Viewport::fit(700.0, 300.0, 343.0, 500.0);
        assert!(v.x <= 0.0 && v.x + v.width >= 700.0 - 1e-9);
        assert!(v.y <= 0.0 && v.y + v.height >= 300.0);
    }

    #[test]
    fn a_drawing_too_large_for_the_closest_zoom_starts_at_its_beginning() {
        let v = Viewport::fit(80_000.0, 3000.0, 800.0, 600.0);
        assert!(close(v.scale(800.0), MIN_SCALE));
        assert_eq!(v.x, 0.0, "the start of the drawing, on the left");
        assert!(
            v.y <= 0.0 && v.y + v.height >= 3000.0,
            "its whole height fits"
        );
    }

    #[test]
    fn zoom_keeps_the_anchor_in_place_and_is_bounded() {
        let v = Viewport {
            x: 0.0,
            y: 0.0,
            width: 800.0,
            height: 600.0,
        };
        let zoomed = v.zoom(2.0, 200.0, 150.0, 800.0);
        assert!(close(zoomed.width, 400.0) && close(zoomed.x, 100.0));
        let anchor = zoomed.to_drawing(200.0, 150.0, 800.0);
        assert!(
            close(anchor.0, 200.0) && close(anchor.1, 150.0),
            "the anchor stays under the pointer"
        );
        assert!(close(v.zoom(1e9, 0.0, 0.0, 800.0).scale(800.0), MAX_SCALE));
        assert!(close(v.zoom(1e-9, 0.0, 0.0, 800.0).scale(800.0), MIN_SCALE));
        assert_eq!(v.zoom(f64::NAN, 0.0, 0.0, 800.0), v);
    }

    #[test]
    fn pan_moves_by_screen_pixels() {
        let v = Viewport {
            x: 0.0,
            y: 0.0,
            width: 400.0,
            height: 300.0,
        };
        let moved = v.pan(80.0, -40.0, 800.0);
        assert_eq!((moved.x, moved.y), (-40.0, 20.0));
        assert_eq!(v.view_box(), "0.0 0.0 400.0 300.0");
    }

    #[test]
    fn a_scaled_frame_maps_screen_points_to_layout_pixels() {
        let frame = Frame {
            left: 100.0,
            top: 50.0,
            width: 800.0,
            height: 400.0,
            scale: 0.5,
        };
        assert_eq!(frame.point(500, 250), (800.0, 400.0));
        assert_eq!(Frame::DEFAULT.point(10, 20), (10.0, 20.0));
    }
}
