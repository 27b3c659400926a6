//! Tiny but valid audio files written byte by byte, tagged the way Picard tags them, for the
//! local-library tests and benchmark: FLAC (STREAMINFO + Vorbis comments, no frames needed for
//! a duration), WAV (8-bit mono PCM + an `id3 ` chunk with ID3v2.4) and MP3 (ID3v2.3 + a Xing
//! frame giving the frame count, then two plain frames). Built by hand rather than through
//! lofty's writer, so the tests prove lofty reads what a tagger writes, not only its own output.
#![allow(dead_code)]

/// MusicBrainz's UFID owner (Picard writes the recording MBID there).
pub const UFID_OWNER: &str = "http://musicbrainz.org";

/// Tags for one file.
#[derive(Debug, Clone, Default)]
pub struct Tags<'a> {
    pub mbid: Option<&'a str>,
    pub isrc: Option<&'a str>,
    pub artist: Option<&'a str>,
    pub title: Option<&'a str>,
    pub album: Option<&'a str>,
    /// The release *track* id Picard also writes (`TXXX:MusicBrainz Release Track Id`,
    /// `MUSICBRAINZ_RELEASETRACKID`): not a recording id, and must never be read as one.
    pub release_track_id: Option<&'a str>,
}

/// A FLAC file of `duration_ms` with the tags as Vorbis comments (`MUSICBRAINZ_TRACKID`, …).
pub fn flac(duration_ms: u64, tags: &Tags<'_>) -> Vec<u8> {
    const RATE: u64 = 44_100;
    let total_samples = duration_ms * RATE / 1000;
    let mut info = Vec::with_capacity(34);
    info.extend_from_slice(&4096u16.to_be_bytes()); // min block size
    info.extend_from_slice(&4096u16.to_be_bytes()); // max block size
    info.extend_from_slice(&[0; 6]); // min/max frame size unknown
                                     // 20 bits rate, 3 bits channels-1 (stereo), 5 bits bps-1 (16), 36 bits total samples.
    let packed: u64 = (RATE << 44) | (1 << 41) | (15 << 36) | (total_samples & 0xF_FFFF_FFFF);
    info.extend_from_slice(&packed.to_be_bytes());
    info.extend_from_slice(&[0; 16]); // MD5 unknown
    let mut comments: Vec<String> = Vec::new();
    let mut push = |key: &str, value: Option<&str>| {
        if let Some(v) = value {
            comments.push(format!("{key}={v}"));
        }
    };
    push("MUSICBRAINZ_TRACKID", tags.mbid);
    push("ISRC", tags.isrc);
    push("ARTIST", tags.artist);
    push("TITLE", tags.title);
    push("ALBUM", tags.album);
    push("MUSICBRAINZ_RELEASETRACKID", tags.release_track_id);
    let mut vorbis = Vec::new();
    let vendor = b"trackvault test";
    vorbis.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    vorbis.extend_from_slice(vendor);
    vorbis.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for c in &comments {
        vorbis.extend_from_slice(&(c.len() as u32).to_le_bytes());
        vorbis.extend_from_slice(c.as_bytes());
    }
    let mut out = b"fLaC".to_vec();
    block(&mut out, 0, false, &info);
    block(&mut out, 4, true, &vorbis);
    out
}

fn block(out: &mut Vec<u8>, ty: u8, last: bool, content: &[u8]) {
    out.push(if last { 0x80 | ty } else { ty });
    let len = content.len() as u32;
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(content);
}

/// A WAV file of `duration_ms` (8-bit mono at 1 kHz) with an ID3v2.4 tag: the MBID in
/// `UFID:http://musicbrainz.org`, the ISRC in `TSRC`.
pub fn wav(duration_ms: u64, tags: &Tags<'_>) -> Vec<u8> {
    const RATE: u32 = 1000;
    let samples = (duration_ms * u64::from(RATE) / 1000) as u32;
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
    fmt.extend_from_slice(&RATE.to_le_bytes());
    fmt.extend_from_slice(&RATE.to_le_bytes()); // bytes per second
    fmt.extend_from_slice(&1u16.to_le_bytes()); // block align
    fmt.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    let id3 = id3v2(4, tags);
    let mut body = b"WAVE".to_vec();
    chunk(&mut body, b"fmt ", &fmt);
    chunk(&mut body, b"data", &vec![0x80; samples as usize]);
    chunk(&mut body, b"id3 ", &id3);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn chunk(out: &mut Vec<u8>, id: &[u8; 4], content: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(content);
    if content.len() % 2 == 1 {
        out.push(0);
    }
}

/// An MP3 (MPEG-1 Layer III, 128 kb/s, 44.1 kHz) of about `duration_ms`, whose first frame
/// is a Xing header with the frame and byte counts, with an ID3v2.3 tag in front.
pub fn mp3(duration_ms: u64, tags: &Tags<'_>) -> Vec<u8> {
    const FRAME_LEN: usize = 417; // 144 * 128000 / 44100
    let frames = (duration_ms * 44_100 / 1152 / 1000) as u32;
    let header = [0xFF, 0xFB, 0x90, 0x00];
    let mut out = id3v2(3, tags);
    let mut xing = vec![0u8; FRAME_LEN];
    xing[..4].copy_from_slice(&header);
    // Side information of a stereo MPEG-1 frame is 32 bytes.
    xing[36..40].copy_from_slice(b"Xing");
    xing[40..44].copy_from_slice(&3u32.to_be_bytes()); // frame count and byte count present
    xing[44..48].copy_from_slice(&frames.to_be_bytes());
    xing[48..52].copy_from_slice(&(frames * FRAME_LEN as u32).to_be_bytes());
    out.extend_from_slice(&xing);
    for _ in 0..2 {
        let mut frame = vec![0u8; FRAME_LEN];
        frame[..4].copy_from_slice(&header);
        out.extend_from_slice(&frame);
    }
    out
}

/// An ID3v2 tag (version 3 or 4) with UFID, TXXX, TSRC, TPE1, TIT2 and TALB frames.
pub fn id3v2(version: u8, tags: &Tags<'_>) -> Vec<u8> {
    let mut frames = Vec::new();
    if let Some(mbid) = tags.mbid {
        let mut content = UFID_OWNER.as_bytes().to_vec();
        content.push(0);
        content.extend_from_slice(mbid.as_bytes());
        frame(&mut frames, version, b"UFID", &content);
    }
    if let Some(id) = tags.release_track_id {
        let mut content = vec![3u8];
        if version == 3 {
            content[0] = 0; // Latin-1
        }
        content.extend_from_slice(b"MusicBrainz Release Track Id\0");
        content.extend_from_slice(id.as_bytes());
        frame(&mut frames, version, b"TXXX", &content);
    }
    for (id, value) in [
        (b"TSRC", tags.isrc),
        (b"TPE1", tags.artist),
        (b"TIT2", tags.title),
        (b"TALB", tags.album),
    ] {
        if let Some(v) = value {
            // v2.4: UTF-8 (3); v2.3: UTF-16 with BOM (1).
            let mut content = Vec::new();
            if version == 4 {
                content.push(3);
                content.extend_from_slice(v.as_bytes());
            } else {
                content.push(1);
                content.extend_from_slice(&[0xFF, 0xFE]);
                for unit in v.encode_utf16() {
                    content.extend_from_slice(&unit.to_le_bytes());
                }
            }
            frame(&mut frames, version, id, &content);
        }
    }
    let mut out = vec![b'I', b'D', b'3', version, 0, 0];
    out.extend_from_slice(&synchsafe(frames.len() as u32));
    out.extend_from_slice(&frames);
    out
}

fn frame(out: &mut Vec<u8>, version: u8, id: &[u8; 4], content: &[u8]) {
    out.extend_from_slice(id);
    let len = content.len() as u32;
    if version == 4 {
        out.extend_from_slice(&synchsafe(len));
    } else {
        out.extend_from_slice(&len.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(content);
}

fn synchsafe(n: u32) -> [u8; 4] {
    [
        ((n >> 21) & 0x7F) as u8,
        ((n >> 14) & 0x7F) as u8,
        ((n >> 7) & 0x7F) as u8,
        (n & 0x7F) as u8,
    ]
}
