//! Bridges between the engine's async byte streams and the synchronous
//! tar and zstd code, which runs on a blocking thread: a bounded channel
//! each way, so at most a few chunks are in memory whatever the size.

use std::io::{self, Read, Write};

use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::engine::ByteStream;

/// Chunks in flight between the two sides.
const DEPTH: usize = 8;
/// The size of the chunks a [`ChannelWriter`] sends.
const CHUNK: usize = 256 * 1024;

/// A `Read` over chunks sent from async code; ends when the sender is
/// dropped. Only for a blocking thread.
pub struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

/// A reader and the sender that feeds it.
pub fn reader() -> (mpsc::Sender<io::Result<Bytes>>, ChannelReader) {
    let (tx, rx) = mpsc::channel(DEPTH);
    (tx, ChannelReader { rx, current: Bytes::new() })
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// A `Write` whose bytes arrive, in chunks, as an async [`ByteStream`].
/// Only for a blocking thread. Dropping it ends the stream.
pub struct ChannelWriter {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

/// A writer and the stream of what is written to it.
pub fn writer() -> (ChannelWriter, ByteStream) {
    let (tx, rx) = mpsc::channel::<Bytes>(DEPTH);
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) }).boxed();
    (ChannelWriter { tx, buf: Vec::with_capacity(CHUNK) }, stream)
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(chunk).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the engine stopped reading"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}

/// A `Write` that hands what it is given, in the pieces it is given, to
/// a thread writing into `W`: compression and disk writes overlap with
/// reading and hashing. At most `DEPTH` pieces wait.
pub struct Offload<W> {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> Offload<W> {
    pub fn new(mut out: W) -> Offload<W> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(DEPTH);
        let thread = std::thread::spawn(move || {
            for piece in rx {
                out.write_all(&piece)?;
            }
            Ok(out)
        });
        Offload { tx: Some(tx), thread: Some(thread) }
    }

    /// Waits for every piece to be written; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.tx.take();
        self.join()
    }

    fn join(&mut self) -> io::Result<W> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
            None => Err(io::Error::other("the writing thread has ended")),
        }
    }
}

impl<W: Write + Send + 'static> Write for Offload<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(data.to_vec()).is_ok());
        if sent {
            return Ok(data.len());
        }
        // The thread stopped on an error: that error is the answer.
        self.tx.take();
        Err(self.join().err().unwrap_or_else(|| io::Error::other("the writing thread has ended")))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_cross_both_ways_in_order() {
        let (tx, mut r) = reader();
        let reading = tokio::task::spawn_blocking(move || {
            let mut all = Vec::new();
            r.read_to_end(&mut all).map(|_| all)
        });
        for i in 0..100u8 {
            tx.send(Ok(Bytes::from(vec![i; 1000]))).await.unwrap();
        }
        drop(tx);
        let all = reading.await.unwrap().unwrap();
        assert_eq!(all.len(), 100_000);
        assert!(all.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|b| usize::from(*b) == i)));

        let (mut w, stream) = writer();
        let writing = tokio::task::spawn_blocking(move || {
            for i in 0..50u8 {
                w.write_all(&vec![i; 30_000]).unwrap();
            }
        });
        let got: Vec<Bytes> = stream.map(Result::unwrap).collect().await;
        writing.await.unwrap();
        let joined: Vec<u8> = got.concat();
        assert_eq!(joined.len(), 1_500_000);
        assert!(got.iter().all(|c| c.len() <= CHUNK));
        assert_eq!(joined[1_499_999], 49);
    }

    #[test]
    fn offloaded_writes_arrive_whole_and_a_failure_is_reported() {
        let mut o = Offload::new(Vec::new());
        for i in 0..100u8 {
            o.write_all(&[i; 1000]).unwrap();
        }
        let out = o.finish().unwrap();
        assert_eq!(out.len(), 100_000);
        assert_eq!(out[99_999], 99);

        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut o = Offload::new(Full);
        let e = (0..100).find_map(|_| o.write_all(&[0; 10]).err()).expect("the failure comes back");
        assert_eq!(e.to_string(), "disk full");
    }

    #[tokio::test]
    async fn an_error_from_the_engine_side_reaches_the_reader() {
        let (tx, mut r) = reader();
        tx.send(Err(io::Error::other("engine went away"))).await.unwrap();
        let e = tokio::task::spawn_blocking(move || r.read(&mut [0; 10])).await.unwrap().unwrap_err();
        assert_eq!(e.to_string(), "engine went away");
    }
}
