//! The display engine copies each frame to a framebuffer device in the
//! device's pixel format; a plain file stands in for the device. The default
//! engine is the native one, which starts no browser.

use std::time::{Duration, Instant};

use deskphone_tests::{PhoneOptions, TestPhone, decode_png, scratch_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_reach_the_framebuffer_as_rgb565() -> anyhow::Result<()> {
    let fb = scratch_dir("fb-device").join("fb0");
    let phone = TestPhone::start_with(
        "framebuffer",
        PhoneOptions {
            user: "dave",
            display_name: "Dave",
            sim_input: "silence",
            display: true,
        },
        &[
            "--framebuffer",
            fb.to_str().unwrap(),
            "--framebuffer-format",
            "rgb565",
        ],
    )
    .await?;
    phone
        .wait_for_screen("the idle screen", Duration::from_secs(60), |t| {
            t.contains("screen idle") && t.contains("Dave")
        })
        .await?;
    let (_, png) = phone.get("/screen.png").await?;
    let (w, h, rgba) = decode_png(&png)?;
    // The device holds the same frame, converted pixel by pixel. The frame
    // may have been refreshed in between (the clock), so compare with the
    // latest frame until they agree.
    let start = Instant::now();
    loop {
        let device = std::fs::read(&fb)?;
        assert_eq!(
            device.len(),
            (w * h * 2) as usize,
            "RGB565 is 2 bytes a pixel"
        );
        let (_, png) = phone.get("/screen.png").await?;
        let (_, _, rgba) = decode_png(&png)?;
        let expected: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|p| {
                let v = (u16::from(p[0] >> 3) << 11)
                    | (u16::from(p[1] >> 2) << 5)
                    | u16::from(p[2] >> 3);
                v.to_le_bytes()
            })
            .collect();
        if device == expected {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the framebuffer never matched the frame"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Not a blank frame: the screen has more than one colour.
    let first = &rgba[..4];
    assert!(rgba.chunks_exact(4).any(|p| p != first));
    // The default (native) display engine draws in the phone's own process: no
    // browser, no helper process of any kind.
    assert_eq!(children_of(phone.pid()), Vec::<u32>::new());
    Ok(())
}

/// Processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}
