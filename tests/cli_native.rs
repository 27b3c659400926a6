//! The CLI fits the ecosystem: shell completions and man pages generate from the real clap
//! definitions, every argument has help, `--format` offers exactly the exporter's formats,
//! conflicting flags are usage errors (exit 2), and `NO_COLOR` keeps escape codes out of help,
//! usage errors and log lines.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use clap::{CommandFactory, Parser};
use predicates::prelude::*;
use trackvault::cli::Cli;
use trackvault::export::DEFAULT_FORMATS;

/// The binary with a clean environment (no inherited colour or archive settings).
fn trackvault(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    cmd.env_clear()
        .env("TRACKVAULT_ARCHIVE", dir.join("archive"))
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const ESC: u8 = 0x1b;

fn has_escape(bytes: &[u8]) -> bool {
    bytes.contains(&ESC)
}

/// Every visible subcommand name, nested ones included.
fn subcommand_names() -> Vec<String> {
    fn walk(cmd: &clap::Command, names: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            names.push(sub.get_name().to_string());
            walk(sub, names);
        }
    }
    let mut names = Vec::new();
    walk(&Cli::command(), &mut names);
    names
}

#[test]
fn completions_generate_for_bash_zsh_and_fish_with_every_command_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let names = subcommand_names();
    assert!(names.contains(&"listenbrainz".to_string()), "{names:?}");
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(trackvault(dir.path()).args(["completions", shell]));
        assert!(script.lines().count() > 20, "{shell}: {script}");
        for name in &names {
            assert!(
                script.contains(name.as_str()),
                "{shell} script lacks `{name}`"
            );
        }
        // `--format` values come from the exporter's list.
        for format in DEFAULT_FORMATS {
            assert!(
                script.contains(format),
                "{shell} script lacks format `{format}`"
            );
        }
        assert!(script.contains("path-style"), "{shell}");
    }
    // The bash script is valid bash when bash is installed.
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_ok()
    {
        let script = stdout_of(trackvault(dir.path()).args(["completions", "bash"]));
        let file = dir.path().join("trackvault.bash");
        std::fs::write(&file, script).unwrap();
        let status = std::process::Command::new("bash")
            .arg("-n")
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success(), "bash -n rejected the completion script");
    }
}

#[test]
fn completions_for_powershell_and_elvish_and_an_unknown_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["powershell", "elvish"] {
        let script = stdout_of(trackvault(dir.path()).args(["completions", shell]));
        assert!(script.contains("restore"), "{shell}: {script}");
    }
    trackvault(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bash"))
        .stderr(predicate::str::contains("zsh"));
}

#[test]
fn completions_and_man_need_no_usable_settings() {
    // A MusicBrainz rate the settings refuse for musicbrainz.org: real commands stop on it…
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "5")
        .arg("snapshots")
        .assert()
        .code(2);
    // …but a packager generating completions or man pages is not stopped by it.
    trackvault(dir.path())
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "5")
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_trackvault"));
    trackvault(dir.path())
        .env("TRACKVAULT_MUSICBRAINZ_RATE", "5")
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie"));
}

#[test]
fn man_prints_the_main_page_and_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let page = stdout_of(trackvault(dir.path()).arg("man"));
    assert!(page.contains(".TH trackvault 1"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name();
        assert!(page.contains(name), "the main page does not list `{name}`");
    }

    let out: PathBuf = dir.path().join("man/man1");
    let report = stdout_of(trackvault(dir.path()).args(["man", "--out"]).arg(&out));
    assert!(report.contains("trackvault-export.1"), "{report}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for expected in [
        "trackvault.1",
        "trackvault-backup.1",
        "trackvault-export.1",
        "trackvault-verify.1",
        "trackvault-push.1",
        "trackvault-push-listenbrainz.1",
        "trackvault-completions.1",
    ] {
        assert!(files.contains(&expected.to_string()), "{files:?}");
    }
    // No page for clap's generated `help` command.
    assert!(!files.iter().any(|f| f.contains("help")), "{files:?}");
    let export = std::fs::read_to_string(out.join("trackvault-export.1")).unwrap();
    assert!(export.contains(".TH trackvault-export 1"), "{export}");
    for format in DEFAULT_FORMATS {
        assert!(export.contains(format), "export page lacks `{format}`");
    }
    let push = std::fs::read_to_string(out.join("trackvault-push.1")).unwrap();
    assert!(push.contains("listenbrainz"), "{push}");
    let verify = std::fs::read_to_string(out.join("trackvault-verify.1")).unwrap();
    assert!(verify.contains("Check every snapshot"), "{verify}");
}

#[test]
fn man_into_an_unwritable_place_is_one_sentence_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    trackvault(dir.path())
        .args(["man", "--out"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn every_argument_and_command_has_help() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            let sub_path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() && sub.get_long_about().is_none() {
                missing.push(format!("{sub_path} (command)"));
            }
            walk(sub, &sub_path, missing);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, "trackvault", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:?}");
}

#[test]
fn format_offers_exactly_the_exporters_formats() {
    let cmd = Cli::command();
    let export = cmd.find_subcommand("export").unwrap();
    let format = export
        .get_arguments()
        .find(|a| a.get_id() == "format")
        .unwrap();
    let offered: Vec<String> = format
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect();
    assert_eq!(offered, DEFAULT_FORMATS);

    let dir = tempfile::tempdir().unwrap();
    let help = stdout_of(trackvault(dir.path()).args(["export", "--help"]));
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!(
            "[possible values: {}]",
            DEFAULT_FORMATS.join(", ")
        )),
        "{help}"
    );
}

#[test]
fn restore_only_offers_exactly_the_restorable_parts() {
    let cmd = Cli::command();
    let restore = cmd.find_subcommand("restore").unwrap();
    let only = restore
        .get_arguments()
        .find(|a| a.get_id() == "only")
        .unwrap();
    let offered: Vec<String> = only
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect();
    let parts: Vec<&str> = trackvault::restore::plan::Part::ALL
        .iter()
        .map(|p| p.name())
        .collect();
    assert_eq!(offered, parts);
    let parse = |value: &str| match Cli::try_parse_from(["trackvault", "restore", "--only", value])
        .unwrap()
        .command
    {
        trackvault::cli::Command::Restore(args) => args.only,
        other => panic!("parsed as {other:?}"),
    };
    assert_eq!(parse("Liked, playlists"), ["liked", "playlists"]);
    // Unknown parts still reach restore's own one-sentence error.
    assert_eq!(parse("podcasts"), ["podcasts"]);
}

#[test]
fn format_keeps_todays_spellings() {
    let parse = |value: &str| match Cli::try_parse_from(["trackvault", "export", "--format", value])
        .unwrap()
        .command
    {
        trackvault::cli::Command::Export(args) => args.format,
        other => panic!("parsed as {other:?}"),
    };
    assert_eq!(parse("XSPF, Json,,m3u8"), ["xspf", "json", "", "m3u8"]);
    assert_eq!(parse(""), [""]);
    // A name only a --mapping file can define passes through to the exporter.
    assert_eq!(parse("MyPlayer"), ["MyPlayer"]);
}

/// A demo archive (no network, well under a second).
fn demo_archive(dir: &Path) -> PathBuf {
    trackvault(dir)
        .args(["demo", "--out"])
        .arg(dir.join("demo"))
        .assert()
        .success();
    dir.join("demo/spotify-archive")
}

fn folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn export_accepts_mixed_case_lists_and_mapping_names_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let archive = demo_archive(dir.path());

    let out = dir.path().join("out1");
    trackvault(dir.path())
        .env("TRACKVAULT_ARCHIVE", &archive)
        .args(["export", "--format", " XSPF,Json,", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(folders(&out), ["json", "xspf"]);

    // A user layout named in --format: only it is written.
    let layout = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/exportify.toml"),
    )
    .unwrap()
    .replace("name = \"exportify\"", "name = \"myplayer\"");
    let layout_file = dir.path().join("myplayer.toml");
    std::fs::write(&layout_file, layout).unwrap();
    let out = dir.path().join("out2");
    trackvault(dir.path())
        .env("TRACKVAULT_ARCHIVE", &archive)
        .args(["export", "--format", "myplayer", "--mapping"])
        .arg(&layout_file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(folders(&out), ["myplayer"]);
}

#[test]
fn verify_a_snapshot_and_all_conflict() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .args(["verify", "20260101T000000Z", "--all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"))
        .stderr(predicate::str::contains("--all"));
}

#[test]
fn path_style_requires_a_local_library() {
    let dir = tempfile::tempdir().unwrap();
    trackvault(dir.path())
        .args(["export", "--path-style", "absolute"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--local-library"));
}

/// An archive whose `latest` file is damaged: commands warn on stderr (a log line), then
/// `export` fails because there is no snapshot.
fn archive_with_damaged_latest(dir: &Path) -> PathBuf {
    let archive = dir.join("archive");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::write(archive.join("latest"), "../elsewhere").unwrap();
    archive
}

#[test]
fn no_color_keeps_escapes_out_of_help_usage_errors_and_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    archive_with_damaged_latest(dir.path());
    let cases: [&[&str]; 3] = [&["--help"], &["verify", "--bogus"], &["export"]];
    for args in cases {
        // Control: with colour forced, each of these does carry escapes, so the check below
        // would notice them.
        let forced = trackvault(dir.path())
            .env("CLICOLOR_FORCE", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(
            has_escape(&forced.stdout) || has_escape(&forced.stderr),
            "{args:?} shows no colour even when forced"
        );

        let plain = trackvault(dir.path())
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(
            !has_escape(&plain.stdout) && !has_escape(&plain.stderr),
            "{args:?} with NO_COLOR: {:?} {:?}",
            String::from_utf8_lossy(&plain.stdout),
            String::from_utf8_lossy(&plain.stderr)
        );
        assert!(!plain.stdout.is_empty() || !plain.stderr.is_empty());
    }
}

#[test]
fn log_lines_to_a_pipe_carry_no_escapes_and_the_error_path_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    archive_with_damaged_latest(dir.path());
    let output = trackvault(dir.path()).arg("export").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(stderr.contains("`latest` file is damaged"), "{stderr}");
    assert!(stderr.contains("no complete snapshot yet"), "{stderr}");
    assert!(!has_escape(&output.stderr), "{stderr:?}");
}

#[test]
fn subcommand_help_lists_its_own_options_before_the_global_ones() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout_of(trackvault(dir.path()).args(["export", "--help"]));
    let heading = help.find("Global options:").expect(&help);
    assert!(help.find("--format").unwrap() < heading, "{help}");
    assert!(help.find("--local-library").unwrap() < heading, "{help}");
    assert!(help.find("--archive").unwrap() > heading, "{help}");
    assert!(help.find("--musicbrainz-rate").unwrap() > heading, "{help}");
}
