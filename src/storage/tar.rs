//! The archive's container: POSIX ustar, written and read as a stream. Only what a
//! backup needs — regular files with names up to 255 bytes — and every header's checksum
//! checked on reading, so a damaged archive fails at the damaged entry. Any `tar` reads
//! what this writes (`tar -tvf backup.tar`).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const BLOCK: usize = 512;

/// Writes `name`'s header for `size` bytes; the caller writes exactly `size` bytes, then
/// [`pad`].
pub async fn header<W: AsyncWrite + Unpin>(out: &mut W, name: &str, size: u64, mtime: u64) -> std::io::Result<()> {
    let mut h = [0u8; BLOCK];
    let (prefix, base) = split_name(name)?;
    h[..base.len()].copy_from_slice(base.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    out.write_all(&h).await
}

/// The zeros that round an entry of `size` bytes up to whole blocks.
pub async fn pad<W: AsyncWrite + Unpin>(out: &mut W, size: u64) -> std::io::Result<()> {
    let rest = (size % BLOCK as u64) as usize;
    if rest > 0 {
        out.write_all(&[0u8; BLOCK][..BLOCK - rest]).await?;
    }
    Ok(())
}

/// The two zero blocks that end an archive.
pub async fn finish<W: AsyncWrite + Unpin>(out: &mut W) -> std::io::Result<()> {
    out.write_all(&[0u8; 2 * BLOCK]).await?;
    out.flush().await
}

fn split_name(name: &str) -> std::io::Result<(&str, &str)> {
    let too_long = || std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("name too long for the archive: {name}"));
    if name.len() <= 100 {
        return Ok(("", name));
    }
    // ustar: a prefix of up to 155 bytes, a '/', and a name of up to 100.
    let cut = name.char_indices().filter(|(i, c)| *c == '/' && *i <= 155 && name.len() - i - 1 <= 100).map(|(i, _)| i).next();
    cut.map(|i| (&name[..i], &name[i + 1..])).ok_or_else(too_long)
}

fn octal(field: &mut [u8], value: u64) {
    let last = field.len() - 1;
    let text = format!("{value:0last$o}");
    field[..last].copy_from_slice(text.as_bytes());
    field[last] = 0;
}

/// One entry's name and size, as its header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path in the archive.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

fn damaged(what: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("the archive is damaged: {what}"))
}

/// Reads the next header: `None` at the end of the archive.
pub async fn next<R: AsyncRead + Unpin>(input: &mut R) -> std::io::Result<Option<Entry>> {
    let mut h = [0u8; BLOCK];
    match input.read_exact(&mut h).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(damaged("it ends in the middle (truncated)")),
        Err(e) => return Err(e),
    }
    if h.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    let stored = parse_octal(&h[148..156]).ok_or_else(|| damaged("a header has no readable checksum"))?;
    let mut copy = h;
    copy[148..156].fill(b' ');
    let sum: u64 = copy.iter().map(|&b| u64::from(b)).sum();
    if sum != stored {
        return Err(damaged("a header's checksum does not match"));
    }
    if !matches!(h[156], b'0' | 0) {
        return Err(damaged("it holds something other than plain files"));
    }
    let text =
        |b: &[u8]| String::from_utf8(b.iter().copied().take_while(|&c| c != 0).collect()).map_err(|_| damaged("a name is not UTF-8"));
    let (base, prefix) = (text(&h[..100])?, text(&h[345..500])?);
    let name = if prefix.is_empty() { base } else { format!("{prefix}/{base}") };
    let size = parse_octal(&h[124..136]).ok_or_else(|| damaged(format!("{name}: no readable size")))?;
    Ok(Some(Entry { name, size }))
}

/// Skips the padding after an entry of `size` bytes.
pub async fn skip_pad<R: AsyncRead + Unpin>(input: &mut R, size: u64) -> std::io::Result<()> {
    let rest = (size % BLOCK as u64) as usize;
    if rest > 0 {
        let mut buf = [0u8; BLOCK];
        input.read_exact(&mut buf[..BLOCK - rest]).await.map_err(|_| damaged("it ends in the middle (truncated)"))?;
    }
    Ok(())
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text: String = field.iter().map(|&b| b as char).filter(|c| !matches!(c, '\0' | ' ')).collect();
    if text.is_empty() {
        return None;
    }
    u64::from_str_radix(&text, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_is_written_is_read_back_and_damage_is_noticed() {
        let mut out = Vec::new();
        let long = format!("files/{}/{}", "a".repeat(90), "b".repeat(60));
        for (name, body) in [("manifest.json", b"{}".as_slice()), (long.as_str(), b"0123456789".as_slice())] {
            header(&mut out, name, body.len() as u64, 0).await.expect("header");
            out.extend_from_slice(body);
            pad(&mut out, body.len() as u64).await.expect("pad");
        }
        finish(&mut out).await.expect("end");
        let mut input = out.as_slice();
        let first = next(&mut input).await.expect("read").expect("an entry");
        assert_eq!(first, Entry { name: "manifest.json".into(), size: 2 });
        let mut body = vec![0; 2];
        input.read_exact(&mut body).await.expect("body");
        skip_pad(&mut input, 2).await.expect("pad");
        assert_eq!(next(&mut input).await.expect("read").expect("an entry").name, long);

        let mut bad = out.clone();
        bad[10] ^= 1;
        assert!(next(&mut bad.as_slice()).await.expect_err("damaged").to_string().contains("checksum"));
        assert!(next(&mut &out[..100]).await.expect_err("truncated").to_string().contains("truncated"));
    }
}
