//! User functions: `f(x, y) = body` is expanded into the graph wherever it is called, its
//! parameters standing for the call's arguments; `f'(x) = body` gives a one-argument
//! function a custom derivative (the seeds' custom `Function`), which the backward pass uses
//! instead of the function's own. The gradient check compares the two.

use super::{LowerError, is_function, variables};
use crate::lang::{Expr, Program, Span, Statement};
use std::collections::HashMap;

/// A function as defined, with its custom derivative once one is given.
#[derive(Clone, Debug)]
pub(super) struct UserFunction {
    pub params: Vec<String>,
    pub body: Expr,
    /// `f'(p) = body`: the derivative's own parameter name and body.
    pub derivative: Option<(String, Expr)>,
}

/// The program's functions by name, each definition checked: not a built-in or a binding's
/// name, defined once, its body reading only its parameters; a derivative follows its
/// function, which has one parameter, and is given once.
pub(super) fn collect_functions(
    program: &Program,
) -> Result<HashMap<String, UserFunction>, LowerError> {
    let bound: Vec<&str> = program
        .statements
        .iter()
        .filter_map(|statement| match statement {
            Statement::Binding { name, .. } => Some(name.as_str()),
            Statement::Expr(_) | Statement::Function { .. } | Statement::Update { .. } => None,
        })
        .collect();
    let mut functions: HashMap<String, UserFunction> = HashMap::new();
    for statement in &program.statements {
        let Statement::Function {
            name,
            name_span,
            params,
            derivative,
            body,
        } = statement
        else {
            continue;
        };
        let span = *name_span;
        let fail = |message: String| Err(LowerError::BadArgument { message, span });
        if is_function(name) {
            return fail(format!(
                "`{name}` is a built-in function; pick another name"
            ));
        }
        if bound.contains(&name.as_str()) {
            return fail(format!("`{name}` is already a variable; pick another name"));
        }
        reads_only_parameters(name, params, body)?;
        let names: Vec<String> = params.iter().map(|(param, _)| param.clone()).collect();
        match (functions.get_mut(name), *derivative) {
            (None, false) => {
                functions.insert(
                    name.clone(),
                    UserFunction {
                        params: names,
                        body: body.clone(),
                        derivative: None,
                    },
                );
            }
            (Some(_), false) => return fail(format!("`{name}` is already defined")),
            (None, true) => {
                return fail(format!(
                    "define `{name}(…) = …` before its derivative `{name}'`"
                ));
            }
            (Some(function), true) => {
                if function.params.len() != 1 || names.len() != 1 {
                    return fail(format!(
                        "a custom derivative is for a function of one argument, and `{name}` \
                         takes {}",
                        function.params.len()
                    ));
                }
                if function.derivative.is_some() {
                    return fail(format!("`{name}'` is already defined"));
                }
                function.derivative = Some((names[0].clone(), body.clone()));
            }
        }
    }
    Ok(functions)
}

/// A function's body may read its parameters and nothing else.
fn reads_only_parameters(
    name: &str,
    params: &[(String, Span)],
    body: &Expr,
) -> Result<(), LowerError> {
    let mut uses = Vec::new();
    variables(body, &mut uses);
    match uses
        .into_iter()
        .find(|(used, _)| !params.iter().any(|(param, _)| param == used))
    {
        Some((used, span)) => Err(LowerError::BadArgument {
            message: format!(
                "`{used}` is not a parameter of `{name}`: a function reads only its parameters"
            ),
            span,
        }),
        None => Ok(()),
    }
}
