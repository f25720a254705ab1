//! The native display engine's drawing: an HTML document (the phone screen that
//! `deskphone-ui` renders from the state) is parsed, styled (Stylo), laid out
//! (Taffy, Parley for text) and painted (vello's CPU renderer) by Blitz into an
//! RGBA buffer at the display's size.
//!
//! Fonts come only from this project (`public/fonts/`, the same files the browser
//! loads through `@font-face`): Blitz is built without system fonts, so a frame
//! looks the same on every machine.

use std::sync::Arc;

use anyrender::ImageRenderer;
use anyrender_vello_cpu::VelloCpuImageRenderer;
use blitz_dom::{BaseDocument, DocumentConfig, FontContext, LocalName, Node};
use blitz_html::HtmlDocument;
use blitz_traits::shell::{ColorScheme, Viewport};
use parley::fontique::{Blob, Collection, CollectionOptions, SourceCache};

/// The fonts the screen uses, compiled in: Noto Sans (Latin, Greek, Cyrillic;
/// SIL OFL 1.1) in two weights, Noto Sans Symbols2 (arrows, symbols, dingbats such
/// as the message-waiting envelope; OFL) and Droid Sans Fallback (CJK, Hangul, kana;
/// Apache 2.0), all subset (see ARCHITECTURE.md).
pub const FONTS: &[(&str, &[u8])] = &[
    (
        "NotoSans-Regular.ttf",
        include_bytes!("../../public/fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold.ttf",
        include_bytes!("../../public/fonts/NotoSans-Bold.ttf"),
    ),
    (
        "NotoSansSymbols2-Regular.ttf",
        include_bytes!("../../public/fonts/NotoSansSymbols2-Regular.ttf"),
    ),
    (
        "DroidSansFallback.ttf",
        include_bytes!("../../public/fonts/DroidSansFallback.ttf"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum PaintError {
    #[error("a display of {width}x{height} pixels cannot be drawn (1 to 4096 each way)")]
    Size { width: u32, height: u32 },
    #[error("the document has no element with id `{0}`")]
    NoScreen(String),
}

/// Where an element lies on the screen and what it says (for the reference comparison
/// with a browser engine and for the overflow checks).
#[derive(Clone, Debug, PartialEq)]
pub struct ElementBox {
    /// `#id`, or `[data-role=…]` for an element without an id.
    pub key: String,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// The element's text content, whitespace collapsed.
    pub text: String,
}

/// One painted frame.
#[derive(Clone, Debug)]
pub struct Painted {
    pub width: u32,
    pub height: u32,
    /// RGBA, 8 bits a channel, row by row.
    pub rgba: Vec<u8>,
    /// The screen element's `data-screen` (`idle`, `incoming`, …).
    pub screen: String,
    /// The screen's text with a line break between blocks, like a browser's `innerText`.
    pub text: String,
    /// Every element with an id or a `data-role`, in document order.
    pub boxes: Vec<ElementBox>,
}

/// Draws documents at one display size; keeps the renderer and the fonts between
/// frames.
pub struct Painter {
    width: u32,
    height: u32,
    fonts: FontContext,
    renderer: VelloCpuImageRenderer,
}

impl Painter {
    pub fn new(width: u32, height: u32) -> Result<Painter, PaintError> {
        if !(1..=4096).contains(&width) || !(1..=4096).contains(&height) {
            return Err(PaintError::Size { width, height });
        }
        Ok(Painter {
            width,
            height,
            fonts: font_context(),
            renderer: VelloCpuImageRenderer::new(width, height),
        })
    }

    /// Lays out and paints `html`; `screen_id` names the element whose `data-screen`,
    /// text and boxes the frame reports.
    pub fn paint(&mut self, html: &str, screen_id: &str) -> Result<Painted, PaintError> {
        let mut document = HtmlDocument::from_html(
            html,
            DocumentConfig {
                viewport: Some(Viewport::new(
                    self.width,
                    self.height,
                    1.0,
                    ColorScheme::Light,
                )),
                font_ctx: Some(self.fonts.clone()),
                ..Default::default()
            },
        );
        let doc: &mut BaseDocument = &mut document;
        doc.resolve(0.0);
        let screen = doc
            .get_element_by_id(screen_id)
            .ok_or_else(|| PaintError::NoScreen(screen_id.to_owned()))?;
        let (width, height) = (self.width, self.height);
        let mut rgba = Vec::with_capacity(width as usize * height as usize * 4);
        self.renderer.reset();
        self.renderer.render_to_vec(
            |scene| blitz_paint::paint_scene(scene, doc, 1.0, width, height, 0, 0),
            &mut rgba,
        );
        let root = doc
            .get_node(screen)
            .ok_or_else(|| PaintError::NoScreen(screen_id.to_owned()))?;
        let mut text = String::new();
        inner_text(root, &mut text);
        let mut boxes = Vec::new();
        collect_boxes(root, &mut boxes);
        Ok(Painted {
            width,
            height,
            rgba,
            screen: root
                .attr(LocalName::from("data-screen"))
                .unwrap_or_default()
                .to_owned(),
            text: tidy_lines(&text),
            boxes,
        })
    }
}

/// A font context with only the shipped fonts in it.
pub fn font_context() -> FontContext {
    let mut fonts = FontContext {
        source_cache: SourceCache::new_shared(),
        collection: Collection::new(CollectionOptions {
            shared: false,
            system_fonts: false,
        }),
    };
    for (_, bytes) in FONTS {
        fonts
            .collection
            .register_fonts(Blob::new(Arc::new(*bytes)), None);
    }
    fonts
}

/// Text like a browser's `innerText`: a line break around every block-level box,
/// nothing from elements that are not displayed.
fn inner_text(node: &Node, out: &mut String) {
    if let Some(text) = node.text_data() {
        out.push_str(&text.content);
        return;
    }
    if !node.is_element() {
        for child in node.children.iter() {
            inner_text(node.with(*child), out);
        }
        return;
    }
    let block = match node.primary_styles() {
        Some(styles) => {
            let display = styles.get_box().display;
            if display.is_none() {
                return;
            }
            !display.is_inline_flow()
        }
        None => false,
    };
    if block {
        out.push('\n');
    }
    for child in node.children.iter() {
        inner_text(node.with(*child), out);
    }
    if block {
        out.push('\n');
    }
}

/// Collapses the whitespace of each line and drops empty lines.
fn tidy_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn collect_boxes(node: &Node, out: &mut Vec<ElementBox>) {
    if node.is_element() {
        let displayed = node
            .primary_styles()
            .is_some_and(|s| !s.get_box().display.is_none());
        if !displayed {
            return;
        }
        let key = node
            .attr(LocalName::from("id"))
            .map(|id| format!("#{id}"))
            .or_else(|| {
                node.attr(LocalName::from("data-role"))
                    .map(|r| format!("[data-role={r}]"))
            });
        if let Some(key) = key {
            let layout = node.final_layout();
            let at = node.absolute_position(0.0, 0.0);
            out.push(ElementBox {
                key,
                x: at.x,
                y: at.y,
                width: layout.size.width,
                height: layout.size.height,
                text: node
                    .text_content()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
    }
    for child in node.children.iter() {
        collect_boxes(node.with(*child), out);
    }
}

/// Writes RGBA pixels as a PNG (fast compression: a frame is encoded once per change).
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgba)?;
    writer.finish()?;
    Ok(out)
}
