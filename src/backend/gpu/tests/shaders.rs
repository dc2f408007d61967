//! Every `.wgsl` file under `kernels/` parsed and validated by naga (the WGSL front end
//! wgpu uses; a kernel as compiled, with its prelude, a prelude alone), and checked against
//! the kernel table: each file but the preludes is listed, its bindings
//! follow the table's layout, every kernel names one of its entry points and every entry
//! point is used, the files specialised by op declare `override OP`, and workgroups stay
//! within WebGPU's default limits. Fails if it finds no shader at all.

use super::harness::gpu;
use crate::backend::gpu::kernels::{KERNELS, PRELUDES, SHADERS, Shader};
use naga::{AddressSpace, StorageAccess};
use std::path::PathBuf;

/// WebGPU's guaranteed `maxComputeInvocationsPerWorkgroup` and
/// `maxComputeWorkgroupStorageSize`.
const MAX_INVOCATIONS: u32 = 256;
const MAX_WORKGROUP_BYTES: u32 = 16384;

fn kernel_files() -> Vec<PathBuf> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/backend/gpu/kernels");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "wgsl")
        })
        .collect();
    files.sort();
    files
}

fn parse_and_validate(name: &str, source: &str) -> naga::Module {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|error| panic!("{}", error.emit_to_string_with_path(source, name)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .unwrap_or_else(|error| panic!("{name}: {}", error.emit_to_string(source)));
    module
}

/// The binding layout `kernels.rs` promises for `shader`: binding 0 uniform, then the
/// read-only storage buffers, then the read-write ones, all in group 0.
fn check_bindings(shader: &Shader, module: &naga::Module) {
    let mut found: Vec<(u32, &'static str)> = module
        .global_variables
        .iter()
        .filter_map(|(_, variable)| {
            let binding = variable.binding.as_ref()?;
            assert_eq!(binding.group, 0, "{}: group", shader.name);
            let kind = match variable.space {
                AddressSpace::Uniform => "uniform",
                AddressSpace::Storage { access } if access == StorageAccess::LOAD => "read",
                AddressSpace::Storage { .. } => "read_write",
                _ => "other",
            };
            Some((binding.binding, kind))
        })
        .collect();
    found.sort();
    let expected: Vec<(u32, &'static str)> = std::iter::once((0, "uniform"))
        .chain((1..=shader.reads).map(|binding| (binding, "read")))
        .chain(
            (shader.reads + 1..=shader.reads + shader.writes)
                .map(|binding| (binding, "read_write")),
        )
        .collect();
    assert_eq!(found, expected, "{}: bindings", shader.name);
}

fn check_workgroups(shader: &Shader, module: &naga::Module) {
    for entry in &module.entry_points {
        let invocations: u32 = entry.workgroup_size.iter().product();
        assert!(
            invocations <= MAX_INVOCATIONS,
            "{}::{}: {invocations} invocations",
            shader.name,
            entry.name
        );
    }
    let workgroup_bytes: u32 = module
        .global_variables
        .iter()
        .filter(|(_, variable)| variable.space == AddressSpace::WorkGroup)
        .map(|(_, variable)| module.types[variable.ty].inner.size(module.to_ctx()))
        .sum();
    assert!(
        workgroup_bytes <= MAX_WORKGROUP_BYTES,
        "{}: {workgroup_bytes} bytes of workgroup memory",
        shader.name
    );
}

#[test]
fn every_wgsl_file_is_valid_and_matches_the_kernel_table() {
    let files = kernel_files();
    assert!(
        !files.is_empty(),
        "no .wgsl files found under src/backend/gpu/kernels"
    );
    let mut file_names: Vec<String> = Vec::new();
    for path in &files {
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("a file name");
        // A kernel as compiled (a prelude first where the table says so); a prelude alone.
        let source = match SHADERS.iter().find(|shader| shader.name == name) {
            Some(shader) => shader.source.to_owned(),
            None => std::fs::read_to_string(path).expect("readable shader"),
        };
        parse_and_validate(name, &source);
        if !PRELUDES.contains(&name) {
            file_names.push(name.to_owned());
        }
    }
    let mut table_names: Vec<String> = SHADERS
        .iter()
        .map(|shader| shader.name.to_owned())
        .collect();
    table_names.sort();
    assert_eq!(
        file_names, table_names,
        "every file is in the kernel table and vice versa"
    );

    for shader in SHADERS {
        let module = parse_and_validate(shader.name, shader.source);
        check_bindings(shader, &module);
        check_workgroups(shader, &module);
        let has_op = module
            .overrides
            .iter()
            .any(|(_, constant)| constant.name.as_deref() == Some("OP"));
        assert_eq!(
            has_op,
            shader.ops > 0,
            "{}: an `OP` override exactly when the table gives op codes",
            shader.name
        );
        let entry_points: Vec<&str> = module
            .entry_points
            .iter()
            .map(|entry| entry.name.as_str())
            .collect();
        for entry in &entry_points {
            assert!(
                KERNELS
                    .iter()
                    .any(|kernel| kernel.shader.name == shader.name && kernel.entry == *entry),
                "{}::{entry} is not used by any kernel",
                shader.name
            );
        }
        for kernel in KERNELS
            .iter()
            .filter(|kernel| kernel.shader.name == shader.name)
        {
            assert!(
                entry_points.contains(&kernel.entry),
                "{} has no entry point {}",
                shader.name,
                kernel.entry
            );
        }
    }
}

#[test]
fn every_pipeline_is_created_without_errors() {
    let Some(gpu) = gpu() else { return };
    gpu.warm_up();
    let specialised: usize = KERNELS
        .iter()
        .map(|kernel| kernel.shader.ops.max(1) as usize)
        .sum();
    assert_eq!(gpu.pipeline_count(), specialised);
    // Building the pipelines raised no validation error.
    let recorder = gpu.recorder().expect("no device error");
    recorder.submit().expect("an empty submission");
}

#[test]
fn an_adapter_is_available() {
    if let Some(gpu) = gpu() {
        eprintln!("GPU tests run on {}", gpu.name());
    }
}
