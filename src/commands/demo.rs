//! `trackvault demo`: the whole pipeline over the bundled sample library; the workflow is
//! [`crate::app::demo`].

use super::Out;
use crate::cli::DemoArgs;
use crate::error::Result;
use crate::progress::ProgressHandle;

pub async fn run(args: &DemoArgs, progress: ProgressHandle, out: Out<'_>) -> Result<()> {
    crate::app::demo::run(args.out.as_deref(), progress, out).await
}
