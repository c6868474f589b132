//! Offline checks of every WGSL kernel with naga, the shader compiler inside wgpu.
//!
//! The GPU tests only exercise the backend of the machine they run on (usually
//! Vulkan). wgpu feeds the same WGSL through naga on every platform, translating
//! it to SPIR-V for Vulkan, MSL for Metal, HLSL for DX12 and GLSL for GL/GLES, and a
//! shader that one backend rejects fails only on that platform, at pipeline
//! creation. So for every kernel in [`all()`], in every variant it is
//! compiled in, these tests:
//!
//! 1. parse the WGSL and validate it with *no* optional capabilities, proving the
//!    kernels need nothing beyond baseline WebGPU (the subgroup softmax, which
//!    declares `Features::SUBGROUP`, gets exactly the SUBGROUP capability, and
//!    the f16 variants exactly SHADER_FLOAT16, translated where wgpu offers
//!    `SHADER_F16`: SPIR-V, MSL and HLSL shader model 6.2, not GL);
//! 2. apply each specialisation's `override` constants (`Specialization::overrides`) as
//!    wgpu does at pipeline creation, then translate the module to SPIR-V, MSL
//!    (1.2, 2.0, 3.0), HLSL (shader models 5.1 and 6.0) and GLSL (desktop 430
//!    and ES 310), failing with the kernel, variant, specialisation and backend
//!    named;
//! 3. check that each uniform's WGSL struct (`params`, `launch` and the others) has the name and
//!    same size as the `#[repr(C)]` Rust structs that fill those uniforms;
//! 4. check that `main`'s workgroup size is the `WORKGROUP_SIZE` override, for
//!    every size `dispatch::workgroup_size` picks (each is also translated).
//!
//! This is how we know Metal, DX12 and GL users can run the shaders without
//! having those machines in CI. None of it needs a GPU.

use naga::back::{glsl, hlsl, msl, spv};
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use naga::{Module, ShaderStage};
use wgpu::DeviceType;

use super::spec::{BindingKind, Family, Kernel, Launch, Variant, ENTRY_POINT, WORKGROUP_SIZE};
use crate::dispatch::workgroup_size;
use crate::dtype::DType;
use crate::registry::all;

/// The first word of every SPIR-V module.
const SPIRV_MAGIC: u32 = 0x0723_0203;

/// The naga capabilities a kernel may use: those of its declared
/// `features` and of its element type (f16 needs SHADER_FLOAT16),
/// nothing else.
fn capabilities(kernel: Kernel, dtype: DType) -> Capabilities {
    let mut capabilities = Capabilities::empty();
    if needs_subgroups(kernel) {
        capabilities |= Capabilities::SUBGROUP;
    }
    if dtype == DType::F16 {
        capabilities |= Capabilities::SHADER_FLOAT16;
    }
    capabilities
}

/// wgpu offers `Features::SUBGROUP` on Vulkan, Metal with MSL 2.3+ and DX12
/// with shader model 6.0+ only, so such kernels are translated only there
/// (the crate never selects them elsewhere).
fn needs_subgroups(kernel: Kernel) -> bool {
    kernel.features.contains(wgpu::Features::SUBGROUP)
}

/// One kernel variant, parsed and validated.
struct Shader {
    /// `kernel/variant/dtype`, for failure messages.
    label: String,
    /// The element type the kernel was generated for.
    dtype: DType,
    kernel: Kernel,
    variant: Variant,
    module: Module,
    info: ModuleInfo,
    /// The `WORKGROUP_SIZE` override applied (the default before overrides).
    workgroup_size: u32,
}

/// Parses and validates every variant of every kernel, panicking with naga's
/// rendered diagnostic (source excerpt included) on the first failure.
fn shaders() -> Vec<Shader> {
    assert!(!all().is_empty(), "kernels::all() lists no kernels");
    let mut shaders = Vec::new();
    for kernel in all() {
        let variants = kernel.variants();
        assert!(
            !variants.is_empty(),
            "kernel {} has no variants",
            kernel.name()
        );
        for (&variant, &dtype) in variants
            .iter()
            .flat_map(|v| kernel.dtypes.iter().map(move |d| (v, d)))
        {
            let label = format!("{}/{variant:?}/{dtype}", kernel.name());
            let source = kernel.source(variant, dtype);
            let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| {
                panic!(
                    "{label}: WGSL parse error\n{}",
                    e.emit_to_string_with_path(&source, &label)
                )
            });
            // Only the capabilities the kernel declares: the rest must run on
            // any WebGPU adapter.
            let info = Validator::new(ValidationFlags::all(), capabilities(kernel, dtype))
                .validate(&module)
                .unwrap_or_else(|e| {
                    panic!(
                        "{label}: naga validation error\n{}",
                        e.emit_to_string_with_path(&source, &label)
                    )
                });
            shaders.push(Shader {
                label,
                dtype,
                kernel,
                variant,
                module,
                info,
                workgroup_size: WORKGROUP_SIZE,
            });
        }
    }
    shaders
}

/// One pipeline's module: a [`Shader`] with one specialisation's `override`
/// constants applied, as wgpu does before handing the module to a backend.
fn specialized() -> Vec<Shader> {
    let mut out = Vec::new();
    for shader in shaders() {
        let specializations = shader.kernel.specializations.all();
        assert!(
            !specializations.is_empty(),
            "{}: no specialisations",
            shader.label
        );
        for (specialization, workgroup_size) in specializations.into_iter().flat_map(|s| {
            workgroup_sizes(shader.kernel)
                .into_iter()
                .map(move |w| (s, w))
        }) {
            let label = format!(
                "{}/{specialization:?}/workgroup {workgroup_size}",
                shader.label
            );
            let mut constants: naga::back::PipelineConstants = specialization
                .overrides()
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect();
            constants.insert("WORKGROUP_SIZE".to_string(), f64::from(workgroup_size));
            let (module, _) = naga::back::pipeline_constants::process_overrides(
                &shader.module,
                &shader.info,
                Some((ShaderStage::Compute, ENTRY_POINT)),
                &constants,
            )
            .unwrap_or_else(|e| panic!("{label}: applying overrides {constants:?}: {e}"));
            let module = module.into_owned();
            // process_overrides revalidates with every capability; recheck with
            // only the kernel's own.
            let info = Validator::new(
                ValidationFlags::all(),
                capabilities(shader.kernel, shader.dtype),
            )
            .validate_resolved_overrides(&module)
            .unwrap_or_else(|e| panic!("{label}: naga validation error after overrides: {e}"));
            out.push(Shader {
                label,
                dtype: shader.dtype,
                kernel: shader.kernel,
                variant: shader.variant,
                module,
                info,
                workgroup_size,
            });
        }
    }
    out
}

/// Every workgroup size the crate creates `kernel`'s pipelines with, on a
/// CPU adapter or a GPU.
fn workgroup_sizes(kernel: Kernel) -> Vec<u32> {
    let mut sizes: Vec<u32> = [
        DeviceType::Cpu,
        DeviceType::DiscreteGpu,
        DeviceType::IntegratedGpu,
    ]
    .into_iter()
    .map(|device| workgroup_size(kernel, device))
    .collect();
    sizes.sort_unstable();
    sizes.dedup();
    assert!(
        sizes
            .iter()
            .all(|&w| w <= WORKGROUP_SIZE && w.is_power_of_two()),
        "{}: {sizes:?}",
        kernel.name()
    );
    sizes
}

/// Panics listing every failure, one per kernel and backend, if there are any.
fn assert_no_failures(backend: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {backend} translation failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Fails with `what` unless every entry point the writer emitted got a name.
fn check_entry_point_names<E: std::fmt::Debug>(
    names: &[Result<String, E>],
    what: &str,
) -> Result<(), String> {
    if names.is_empty() {
        return Err(format!("{what}: no entry point written"));
    }
    for name in names {
        if let Err(e) = name {
            return Err(format!("{what}: entry point failed: {e:?}"));
        }
    }
    Ok(())
}

/// Fails with `what` unless `text` is non-empty and contains `needle`.
fn check_text(text: &str, needle: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("{what}: output is empty"))
    } else if !text.contains(needle) {
        Err(format!("{what}: output lacks {needle:?}:\n{text}"))
    } else {
        Ok(())
    }
}

#[test]
fn every_kernel_parses_and_validates_without_capabilities() {
    let shaders = shaders();
    let expected: usize = all()
        .iter()
        .map(|k| k.variants().len() * k.dtypes.len())
        .sum();
    assert_eq!(shaders.len(), expected);
    for shader in &shaders {
        let ep = shader
            .module
            .entry_points
            .iter()
            .find(|ep| ep.name == ENTRY_POINT)
            .unwrap_or_else(|| panic!("{}: no entry point {ENTRY_POINT:?}", shader.label));
        assert_eq!(
            ep.stage,
            ShaderStage::Compute,
            "{}: {ENTRY_POINT} is not a compute entry point",
            shader.label
        );
        assert_eq!(
            shader.module.entry_points.len(),
            1,
            "{}: expected exactly one entry point",
            shader.label
        );
    }
}

#[test]
fn every_kernel_translates_to_spirv() {
    let options = spv::Options::default();
    let pipeline = spv::PipelineOptions {
        shader_stage: ShaderStage::Compute,
        entry_point: ENTRY_POINT.to_string(),
    };
    let mut failures = Vec::new();
    for shader in specialized() {
        let what = format!("{}: SPIR-V", shader.label);
        match spv::write_vec(&shader.module, &shader.info, &options, Some(&pipeline)) {
            Err(e) => failures.push(format!("{what}: {e}")),
            Ok(words) if words.len() < 5 => {
                failures.push(format!("{what}: only {} words written", words.len()))
            }
            Ok(words) if words[0] != SPIRV_MAGIC => {
                failures.push(format!("{what}: bad magic number {:#010x}", words[0]))
            }
            Ok(_) => {}
        }
    }
    assert_no_failures("SPIR-V", &failures);
}

#[test]
fn every_kernel_translates_to_msl() {
    let pipeline = msl::PipelineOptions {
        entry_point: Some((ShaderStage::Compute, ENTRY_POINT.to_string())),
        ..Default::default()
    };
    let mut failures = Vec::new();
    // 1.2 is the oldest Metal Shading Language wgpu meets on real Apple
    // hardware, 2.0 and 3.0 cover newer writer paths.
    for lang_version in [(1, 2), (2, 0), (3, 0)] {
        let options = msl::Options {
            lang_version,
            ..Default::default()
        };
        for shader in specialized() {
            if needs_subgroups(shader.kernel) && lang_version < (2, 3) {
                continue;
            }
            let what = format!(
                "{}: MSL {}.{}",
                shader.label, lang_version.0, lang_version.1
            );
            let result = msl::write_string(&shader.module, &shader.info, &options, &pipeline)
                .map_err(|e| format!("{what}: {e}"))
                .and_then(|(text, info)| {
                    check_entry_point_names(&info.entry_point_names, &what)?;
                    check_text(&text, "kernel void", &what)
                });
            if let Err(failure) = result {
                failures.push(failure);
            }
        }
    }
    assert_no_failures("MSL", &failures);
}

#[test]
fn every_kernel_translates_to_hlsl() {
    let pipeline = hlsl::PipelineOptions {
        entry_point: Some((ShaderStage::Compute, ENTRY_POINT.to_string())),
    };
    let mut failures = Vec::new();
    // 5.1 is what DX12 compiles with FXC; 6.0 is the DXC path; f16 needs 6.2,
    // where wgpu offers SHADER_F16 on DX12.
    for shader_model in [
        hlsl::ShaderModel::V5_1,
        hlsl::ShaderModel::V6_0,
        hlsl::ShaderModel::V6_2,
    ] {
        let options = hlsl::Options {
            shader_model,
            ..Default::default()
        };
        for shader in specialized() {
            if needs_subgroups(shader.kernel) && shader_model == hlsl::ShaderModel::V5_1 {
                continue;
            }
            if (shader.dtype == DType::F16) != (shader_model == hlsl::ShaderModel::V6_2) {
                continue;
            }
            let what = format!("{}: HLSL {}", shader.label, shader_model.to_str());
            let mut text = String::new();
            let written = hlsl::Writer::new(&mut text, &options, &pipeline).write(
                &shader.module,
                &shader.info,
                None,
            );
            let result = written
                .map_err(|e| format!("{what}: {e}"))
                .and_then(|info| check_entry_point_names(&info.entry_point_names, &what))
                .and_then(|()| check_text(&text, "[numthreads(", &what));
            if let Err(failure) = result {
                failures.push(failure);
            }
        }
    }
    assert_no_failures("HLSL", &failures);
}

#[test]
fn every_kernel_translates_to_glsl() {
    let pipeline = glsl::PipelineOptions {
        shader_stage: ShaderStage::Compute,
        entry_point: ENTRY_POINT.to_string(),
        multiview: None,
    };
    let mut failures = Vec::new();
    for version in [
        glsl::Version::Desktop(430),
        glsl::Version::Embedded {
            version: 310,
            is_webgl: false,
        },
    ] {
        let options = glsl::Options {
            version,
            ..Default::default()
        };
        for shader in specialized() {
            // wgpu offers neither subgroups nor SHADER_F16 on GL.
            if needs_subgroups(shader.kernel) || shader.dtype == DType::F16 {
                continue;
            }
            let what = format!("{}: GLSL {version}", shader.label);
            let mut text = String::new();
            let written = glsl::Writer::new(
                &mut text,
                &shader.module,
                &shader.info,
                &options,
                &pipeline,
                naga::proc::BoundsCheckPolicies::default(),
            )
            .and_then(|mut writer| writer.write());
            let result = written
                .map_err(|e| format!("{what}: {e}"))
                .and_then(|_| check_text(&text, "local_size_x", &what));
            if let Err(failure) = result {
                failures.push(failure);
            }
        }
    }
    assert_no_failures("GLSL", &failures);
}

/// The byte size naga gives the global struct type named `name`, if there is one.
fn struct_size(module: &Module, name: &str) -> Option<usize> {
    let mut layouter = naga::proc::Layouter::default();
    layouter
        .update(module.to_ctx())
        .expect("a validated module lays out");
    let mut found = module.types.iter().filter(|(_, ty)| {
        ty.name.as_deref() == Some(name) && matches!(ty.inner, naga::TypeInner::Struct { .. })
    });
    let (handle, ty) = found.next()?;
    assert!(found.next().is_none(), "two struct types named {name}");
    let size = layouter[handle].size;
    // The uniform buffer binding size is the struct's `span`, which must agree.
    if let naga::TypeInner::Struct { span, .. } = ty.inner {
        assert_eq!(span, size, "{name}: struct span and layout size differ");
    }
    Some(size as usize)
}

/// Every uniform struct a kernel binds has the name and the size of the
/// Rust struct that fills it (`params` and the family's and kernel's own
/// uniforms), so a field added on one side only fails here.
#[test]
fn wgsl_structs_match_rust_structs() {
    let mut launch_checked = 0;
    for shader in shaders() {
        let params = Some(("params", shader.kernel.params)).filter(|(_, l)| l.is_some());
        let uniforms = params
            .into_iter()
            .chain(
                shader
                    .kernel
                    .bindings(shader.variant)
                    .filter_map(|b| match b.kind {
                        BindingKind::Uniform(layout) => Some((b.name, layout)),
                        _ => None,
                    }),
            );
        for (binding, layout) in uniforms {
            let size = struct_size(&shader.module, layout.name).unwrap_or_else(|| {
                panic!(
                    "{}: `{binding}` is the Rust struct {}, but the WGSL has no struct of that name",
                    shader.label, layout.name
                )
            });
            assert_eq!(
                size, layout.size,
                "{}: WGSL {} is {size} bytes, the Rust struct is {} bytes",
                shader.label, layout.name, layout.size
            );
            let global = shader
                .module
                .global_variables
                .iter()
                .find(|(_, g)| g.name.as_deref() == Some(binding))
                .unwrap_or_else(|| panic!("{}: no global `{binding}`", shader.label))
                .1;
            assert_eq!(
                shader.module.types[global.ty].name.as_deref(),
                Some(layout.name),
                "{}: `{binding}` is not of type {}",
                shader.label,
                layout.name
            );
            if layout.name == "Launch" {
                assert_eq!(layout.size, size_of::<Launch>());
                launch_checked += 1;
            }
        }
    }
    assert!(launch_checked > 0, "no kernel has a Launch struct to check");
}

/// Each spec names exactly the bindings its entry point uses, at the
/// indices and of the kinds the WGSL declares: the recorders bind by these
/// names, and the device-limit check counts them.
#[test]
fn every_spec_lists_the_bindings_its_shader_uses() {
    let mut names = std::collections::HashSet::new();
    for kernel in all() {
        assert!(
            names.insert(kernel.name()),
            "two kernels named {}",
            kernel.name()
        );
    }
    for shader in shaders() {
        let entry = shader
            .module
            .entry_points
            .iter()
            .position(|ep| ep.name == ENTRY_POINT)
            .expect("an entry point");
        let uses = shader.info.get_entry_point(entry);
        let mut used: Vec<(String, u32, String)> = shader
            .module
            .global_variables
            .iter()
            .filter(|(handle, g)| g.binding.is_some() && !uses[*handle].is_empty())
            .map(|(_, g)| {
                let binding = g.binding.as_ref().expect("filtered");
                assert_eq!(
                    binding.group, 0,
                    "{}: group {}",
                    shader.label, binding.group
                );
                let kind = match g.space {
                    naga::AddressSpace::Uniform => "uniform",
                    naga::AddressSpace::Storage { access }
                        if access.contains(naga::StorageAccess::STORE) =>
                    {
                        "storage, read_write"
                    }
                    naga::AddressSpace::Storage { .. } => "storage, read",
                    other => panic!("{}: a binding in {other:?}", shader.label),
                };
                (
                    g.name.clone().unwrap_or_default(),
                    binding.binding,
                    kind.to_string(),
                )
            })
            .collect();
        let params = shader
            .kernel
            .params
            .is_some()
            .then(|| ("params".to_string(), 1, "uniform".to_string()));
        let mut listed: Vec<(String, u32, String)> = params
            .into_iter()
            .chain(shader.kernel.bindings(shader.variant).map(|b| {
                let kind = match b.kind {
                    BindingKind::Uniform(_) => "uniform",
                    BindingKind::Storage => "storage, read",
                    BindingKind::StorageReadWrite => "storage, read_write",
                };
                (b.name.to_string(), b.index, kind.to_string())
            }))
            .collect();
        used.sort_by_key(|b| b.1);
        listed.sort_by_key(|b| b.1);
        assert_eq!(
            used, listed,
            "{}: the shader's bindings and its spec's",
            shader.label
        );
        let (storage, uniforms, _) = shader.kernel.resources();
        if shader.variant == Variant::Separate {
            assert_eq!(
                (storage as usize, uniforms as usize),
                (
                    used.iter().filter(|b| b.2 != "uniform").count(),
                    used.iter().filter(|b| b.2 == "uniform").count()
                ),
                "{}: resources()",
                shader.label
            );
        }
    }
}

/// The elementwise families take a `Launch`; the row kernels carry their
/// grid in their params instead.
#[test]
fn only_elementwise_kernels_take_a_launch() {
    for kernel in all() {
        let elementwise = matches!(
            kernel.family,
            Family::Elementwise | Family::ElementwiseGradient
        );
        assert_eq!(
            kernel.binding("launch").is_some(),
            elementwise,
            "{kernel:?}"
        );
    }
}

#[test]
fn workgroup_size_matches_rust_constant() {
    for shader in specialized() {
        let ep = shader
            .module
            .entry_points
            .iter()
            .find(|ep| ep.name == ENTRY_POINT)
            .unwrap_or_else(|| panic!("{}: no entry point {ENTRY_POINT:?}", shader.label));
        assert_eq!(
            ep.workgroup_size,
            [shader.workgroup_size, 1, 1],
            "{}: @workgroup_size of {ENTRY_POINT} is not the WORKGROUP_SIZE override",
            shader.label
        );
        assert!(
            ep.workgroup_size_overrides.is_none(),
            "{}: workgroup size uses overrides",
            shader.label
        );
    }
}

/// Float literals a browser's WGSL compiler accepts: Chromium's Tint
/// rejects a decimal literal past f32's range instead of rounding it (it
/// refused `-3.40282347e38`, which naga took as -f32::MAX), so every float
/// literal in every kernel must be within f32::MAX as written.
#[test]
fn every_float_literal_is_within_f32_range_as_written() {
    for kernel in all() {
        for &variant in kernel.variants() {
            for &dtype in kernel.dtypes {
                let source = kernel.source(variant, dtype);
                for literal in float_literals(&source) {
                    let value: f64 = literal
                        .trim_end_matches(['f', 'h'])
                        .parse()
                        .unwrap_or_else(|e| panic!("{}: literal {literal}: {e}", kernel.name()));
                    assert!(
                        value.abs() <= f64::from(f32::MAX),
                        "{}: literal {literal} is past f32's range (Tint rejects it)",
                        kernel.name()
                    );
                }
            }
        }
    }
}

/// Decimal float literals in WGSL source (comments skipped): runs of digits,
/// a point or an exponent, with an optional `f`/`h` suffix.
fn float_literals(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let starts = chars[i].is_ascii_digit()
                || (chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
            let in_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
            if !starts || in_word {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let token: String = chars[start..i].iter().collect();
            let hex = token.starts_with("0x") || token.starts_with("0X");
            if !hex && (token.contains('.') || token.contains(['e', 'E'])) {
                out.push(token);
            }
        }
    }
    out
}

/// Each spec's specialisations set exactly the `override` constants its
/// shader declares (besides `WORKGROUP_SIZE`): a family that sets one the
/// shader lacks would fail at pipeline creation, one it forgets would
/// leave a code path at its default.
#[test]
fn every_spec_sets_exactly_the_overrides_its_shader_declares() {
    for shader in shaders() {
        let mut declared: Vec<String> = shader
            .module
            .overrides
            .iter()
            .filter_map(|(_, o)| o.name.clone())
            .filter(|name| name != "WORKGROUP_SIZE")
            .collect();
        declared.sort();
        for specialization in shader.kernel.specializations.all() {
            let mut set: Vec<String> = specialization
                .overrides()
                .into_iter()
                .map(|(name, _)| name.to_string())
                .collect();
            set.sort();
            assert_eq!(set, declared, "{}: {specialization:?}", shader.label);
        }
    }
}
