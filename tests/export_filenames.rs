//! Property tests for export file names: whatever a playlist is called, its file name is
//! non-empty, has no separators or control characters, is not reserved on Windows, fits the
//! byte limit, and never collides with another.

use proptest::prelude::*;
use trackvault::export::filenames::{is_reserved_on_windows, safe_stem, NameSet, MAX_STEM_BYTES};

/// Names biased towards trouble: separators, dots, reserved words, controls, wide characters.
fn hostile_name() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just(" ".to_string()),
        Just("CON".to_string()),
        Just("nul".to_string()),
        Just("com1".to_string()),
        Just("LPT9".to_string()),
        Just(":*?\"<>|".to_string()),
        Just("\u{0}\n\r\t\u{1b}".to_string()),
        Just("é".to_string()),
        Just("😀".to_string()),
        Just("名".to_string()),
        Just("ف".to_string()),
        "[a-zA-Z]{1,4}",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn stems_are_always_safe(name in hostile_name()) {
        let stem = safe_stem(&name);
        prop_assert!(!stem.is_empty());
        prop_assert!(stem.len() <= MAX_STEM_BYTES, "{} bytes", stem.len());
        prop_assert!(!stem.chars().any(|c| "/\\:*?\"<>|".contains(c) || c.is_control()), "{stem:?}");
        prop_assert!(!stem.starts_with('.'), "{stem:?}");
        prop_assert!(!stem.ends_with('.') && !stem.ends_with(char::is_whitespace), "{stem:?}");
        prop_assert!(!is_reserved_on_windows(&stem), "{stem:?}");
        prop_assert!(stem != "." && stem != "..");
        // Idempotent: a safe stem stays as it is.
        prop_assert_eq!(safe_stem(&stem), stem);
    }

    #[test]
    fn claimed_names_never_collide(names in prop::collection::vec(hostile_name(), 1..30)) {
        let mut set = NameSet::new();
        let mut seen = std::collections::HashSet::new();
        for name in &names {
            let file = set.claim(&safe_stem(name), ".csv");
            prop_assert!(seen.insert(file.to_lowercase()), "{file:?} handed out twice");
            prop_assert!(file.len() <= 255);
        }
    }
}

#[test]
fn reserved_names_are_recognised_in_any_case_and_with_extensions() {
    for name in ["CON", "con", "Nul", "aux.txt", "COM1", "lpt9.csv", "COM¹"] {
        assert!(is_reserved_on_windows(name), "{name}");
    }
    for name in ["CONSOLE", "COM10", "LPT", "nullify", "_CON"] {
        assert!(!is_reserved_on_windows(name), "{name}");
    }
}
