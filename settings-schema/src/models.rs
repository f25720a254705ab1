//! Phone models as data: the code asks the model, never hard-codes it.

/// One phone model's hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Model {
    /// The name used by `--model`, provisioning (`{model}`) and manifests.
    pub name: &'static str,
    pub display_width: u32,
    pub display_height: u32,
    pub colour: bool,
    /// Programmable line/function keys `P1`..`Pn`.
    pub function_keys: u32,
    /// Soft keys under the display `F1`..`Fn`.
    pub soft_keys: u32,
    /// Whether it has Wi-Fi (the `wifi_*` settings).
    pub wifi: bool,
}

pub const MODELS: &[Model] = &[
    Model {
        name: "DP480C",
        display_width: 480,
        display_height: 272,
        colour: true,
        function_keys: 12,
        soft_keys: 4,
        wifi: true,
    },
    Model {
        name: "DP320C",
        display_width: 320,
        display_height: 240,
        colour: true,
        function_keys: 6,
        soft_keys: 4,
        wifi: false,
    },
    Model {
        name: "DP128M",
        display_width: 128,
        display_height: 64,
        colour: false,
        function_keys: 4,
        soft_keys: 4,
        wifi: false,
    },
];

/// The model a simulated phone is when none is given.
pub const DEFAULT_MODEL: &str = "DP480C";

pub fn model(name: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.name.eq_ignore_ascii_case(name))
}
