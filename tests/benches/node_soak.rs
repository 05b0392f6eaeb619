//! The ten-minute soak of the chapter node: `benches/node_load.rs` compiled as the `node_soak`
//! target, where `BENCH_SECS` is the soak's length (default 600) and the node runs under its
//! service's allocator setting. `cargo bench -p shopfloor-testbed --bench node_soak`.

#[path = "node_load.rs"]
mod node_load;

fn main() -> anyhow::Result<()> {
    node_load::main()
}
