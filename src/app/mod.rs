//! The application layer: the workflows a command runs, each one composing domain modules
//! (`spotify`, `enrich`, `export`, `archive`, `import`, `restore`, `listenbrainz`, …) that only
//! transform data or talk to one service. Here live the archive I/O around a stage (read a
//! snapshot, enrich it, write it back), the orchestration across stages and the mapping of
//! domain errors to the application's [`crate::error::Error`]. `commands/` maps arguments to
//! these workflows and prints; nothing below this layer imports it.

pub mod enrich;
