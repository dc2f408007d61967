//! Own data's comments read and written (`rows`), class names and rows kept by the page
//! (`names`), and programs over own data compiled, trained on and carried by links
//! (`program`).

mod rows {
    use crate::data::own::*;

    const PROGRAM: &str = "# title\n# own data: x y -> class, 2 classes, test 0.25\n# own rows: 0 0 0; 1 0.5 1\n# own rows: -1 2 1; 3 -4 0\nX = features(own, 3, 2)\n";

    #[test]
    fn the_comments_hold_the_rows() {
        let own = read(PROGRAM).unwrap().unwrap();
        assert_eq!(own.task, Task::Classification);
        assert_eq!(own.test_share, 0.25);
        assert_eq!(own.table.feature_names, ["x", "y"]);
        assert_eq!(
            own.table.features,
            [0.0, 0.0, 1.0, 0.5, -1.0, 2.0, 3.0, -4.0]
        );
        assert_eq!(own.table.targets, [0.0, 1.0, 1.0, 0.0]);
        assert_eq!(own.table.classes(), 2);
        assert_eq!(read("X = 1").unwrap(), None);
    }

    #[test]
    fn a_header_declares_the_width_without_reading_rows() {
        declare(PROGRAM);
        assert_eq!(declared_width(), Some(2));
        declare("# own data: a b c -> y, regression\n# own rows: whatever");
        assert_eq!(declared_width(), Some(3));
        declare("x = 1");
        assert_eq!(declared_width(), None);
    }

    #[test]
    fn writing_and_reading_give_the_same_rows() {
        let own = read(PROGRAM).unwrap().unwrap();
        let text = with_own("# title\nX = features(own, 3, 2)", &own);
        assert_eq!(read(&text).unwrap().unwrap(), own);
        assert_eq!(text.lines().next(), Some("# title"));
        assert_eq!(text.lines().last(), Some("X = features(own, 3, 2)"));
        // Replacing keeps one block, where it was.
        let mut fewer = own.clone();
        fewer.table = fewer.table.select(&[0, 1]);
        let replaced = with_own(&text, &fewer);
        assert_eq!(replaced.matches(HEADER).count(), 1);
        assert_eq!(read(&replaced).unwrap().unwrap().table.rows(), 2);
        // Many rows wrap, a regression writes its numbers.
        let regression = Own {
            table: Table {
                feature_names: vec!["x".into()],
                features: (0..20).map(|i| i as f64 / 3.0).collect(),
                targets: (0..20).map(|i| (i as f64).sin()).collect(),
                class_names: Vec::new(),
            },
            task: Task::Regression,
            test_share: 0.1,
        };
        let written = write(&regression);
        assert_eq!(written.matches(ROWS).count(), 3);
        let back = read(&written).unwrap().unwrap();
        assert_eq!(back.task, Task::Regression);
        assert_eq!(back, regression, "every number exactly");
    }

    #[test]
    fn mistakes_point_at_their_text() {
        let cases = [
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 zz 1",
                "zz",
                "`zz` is not a number",
            ),
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 1 2",
                "2",
                "the class `2` is not one of 0 to 1",
            ),
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 1",
                "1 1",
                "a row has 2 numbers",
            ),
            (
                "# own data: x y -> class, 2 kinds\n# own rows: 0 0 0; 1 1 1",
                "2 kinds",
                "`2 kinds` is not",
            ),
            (
                "# own data: x y -> class, 2 classes, test 0.9\n# own rows: 0 0 0; 1 1 1",
                "test 0.9",
                "the test share",
            ),
            (
                "# own rows: 0 0 0",
                "0 0 0",
                "`# own rows:` without a `# own data:` header",
            ),
        ];
        for (source, at, message) in cases {
            let error = read(source).unwrap_err();
            assert!(error.message.starts_with(message), "{source}: {error}");
            assert_eq!(&source[error.span.start..error.span.end], at, "{source}");
        }
        let many: String = (0..=MAX_ROWS)
            .map(|i| format!("# own rows: {i} {}\n", i % 2))
            .collect();
        let error = read(&format!("# own data: x -> class, 2 classes\n{many}")).unwrap_err();
        assert!(error.message.contains("at most 1000 rows"), "{error}");
    }
}

mod names {
    //! Class names in the header, and rows the page keeps.
    use crate::data::own::*;

    fn named(rows: usize) -> Own {
        Own {
            table: Table {
                feature_names: vec!["petal_length".into(), "petal_width".into()],
                features: (0..rows * 2).map(|i| (i % 17) as f64 / 4.0).collect(),
                targets: (0..rows).map(|r| (r % 3) as f64).collect(),
                class_names: vec!["setosa".into(), "versicolor".into(), "<i>virginica".into()],
            },
            task: Task::Classification,
            test_share: 0.2,
        }
    }

    #[test]
    fn class_names_are_written_in_the_header_and_read_back() {
        let own = named(9);
        let text = with_own("X = features(own, 7, 7)", &own);
        assert!(
            text.starts_with("# own data: petal_length petal_width -> class, 3 classes: setosa versicolor <i>virginica, test 0.2\n# own rows: "),
            "{text}"
        );
        assert_eq!(read(&text).unwrap().unwrap(), own);
        // Numbered classes write no names, as before.
        let mut numbered = own.clone();
        numbered.table.class_names = vec!["0".into(), "1".into(), "2".into()];
        let text = write(&numbered);
        assert!(
            text.starts_with(
                "# own data: petal_length petal_width -> class, 3 classes, test 0.2\n"
            ),
            "{text}"
        );
        assert_eq!(read(&text).unwrap().unwrap(), numbered);
    }

    #[test]
    fn class_name_mistakes_point_at_their_text() {
        let long = "n".repeat(crate::data::table::MAX_CLASS_NAME + 1);
        let cases = [
            (
                "2 classes: cat",
                "2 classes: cat",
                "2 classes need 2 names; 1 are given",
            ),
            (
                "2 classes: cat cat",
                "cat",
                "the class name `cat` is given twice",
            ),
            (
                &format!("2 classes: cat {long}") as &str,
                &long as &str,
                "a class name has at most 32 characters",
            ),
            ("101 classes", "101 classes", "2 to 100 classes"),
            (
                "2 classes, 5000 rows kept by the page #zz",
                "5000 rows kept by the page #zz",
                "`5000 rows kept by the page #zz` is not",
            ),
        ];
        for (kind, at, message) in cases {
            let source = format!("# own data: x -> class, {kind}\n# own rows: 0 0; 1 1");
            let error = read(&source).unwrap_err();
            assert!(error.message.starts_with(message), "{source}: {error}");
            let start = source[error.span.start..]
                .find(at)
                .map(|k| k + error.span.start);
            assert_eq!(start, Some(error.span.start), "{source}: {error:?}");
            assert_eq!(&source[error.span.start..error.span.end], at, "{source}");
        }
    }

    #[test]
    fn more_rows_than_a_program_holds_are_kept_by_the_page_and_named() {
        let own = named(5000);
        assert!(own.kept_by_page() && !named(MAX_ROWS).kept_by_page());
        let text = with_own("# a title\nX = features(own, 4000, 32)", &own);
        let key = held::key(&own.table, own.task);
        assert_eq!(
            text,
            format!(
                "# a title\n# own data: petal_length petal_width -> class, 3 classes: setosa versicolor <i>virginica, test 0.2, 5000 rows kept by the page #{key:08x}\nX = features(own, 4000, 32)"
            )
        );
        assert_eq!(read(&text).unwrap().unwrap(), own, "every row, by the key");
        assert_eq!((kept_rows(&text), left_out(&text)), (Some(5000), None));
        // The header can rename the classes; the rows stay the page's.
        let renamed = text.replace("setosa", "small");
        assert_eq!(
            read(&renamed).unwrap().unwrap().table.class_names[0],
            "small"
        );
        // Fewer classes than the rows have, or rows written besides, are mistakes.
        let fewer = text.replace("3 classes: setosa versicolor <i>virginica", "2 classes");
        assert!(
            read(&fewer)
                .unwrap_err()
                .message
                .contains("more classes than the header names")
        );
        let both = format!("{text}\n# own rows: 1 2 0");
        assert_eq!(
            read(&both).unwrap_err().message,
            "rows kept by the page are not also written in the program"
        );
        // Another page (another thread) does not hold them: an error at the phrase, never
        // other rows.
        let elsewhere = text.clone();
        std::thread::spawn(move || {
            let error = read(&elsewhere).unwrap_err();
            assert_eq!(
                error.message,
                "this program's 5,000 rows of own data stayed in the page they were loaded in (a link holds up to 1,000 rows): paste or upload the CSV again to train it"
            );
            assert_eq!(
                &elsewhere[error.span.start..error.span.end],
                format!("5000 rows kept by the page #{key:08x}")
            );
            assert_eq!((kept_rows(&elsewhere), left_out(&elsewhere)), (Some(5000), Some(5000)));
            // Other rows under another key are not taken for them.
            held::hold(&named(4000).table, Task::Classification);
            assert!(read(&elsewhere).is_err());
        })
        .join()
        .unwrap();
    }

    proptest::proptest! {
        /// Any header text after the marker is read or refused with a span inside the
        /// program, never a panic.
        #[test]
        fn any_header_is_read_or_refused_at_a_span_inside_it(
            kind in "[ -~]{0,40}",
            cut in 0usize..60,
        ) {
            let source = format!("# own data: x y -> class, {kind}\n# own rows: 0 0 0; 1 1 1");
            let mut cut = cut.min(source.len());
            while !source.is_char_boundary(cut) {
                cut -= 1;
            }
            for text in [source.as_str(), &source[..cut]] {
                if let Err(error) = read(text) {
                    proptest::prop_assert!(error.span.start <= error.span.end && error.span.end <= text.len(), "{text:?}: {error:?}");
                }
            }
        }
    }

    #[test]
    fn the_link_note_says_what_is_left_out() {
        assert_eq!(
            link_note(5000),
            "This link leaves out your 5,000 rows of own data (a link holds up to 1,000); its reader is asked to paste or upload the CSV."
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(
            [0, 999, 1000, 5000, 12345, 100_000].map(grouped),
            ["0", "999", "1,000", "5,000", "12,345", "100,000"]
        );
    }
}

mod program {
    //! Own data as a program reads it: compiled, trained on, and carried by a link.
    use crate::data::DataSpec;
    use crate::data::own::*;
    use crate::program::compile;
    use crate::url_state::{ModeChoice, UrlState};

    fn program(rows: usize) -> String {
        let table = Table {
            feature_names: vec!["x".into(), "y".into()],
            features: (0..rows * 2)
                .map(|i| ((i * 37 % 19) as f64 - 9.0) / 4.0)
                .collect(),
            targets: (0..rows).map(|r| (r % 3) as f64).collect(),
            class_names: (0..3).map(|k| k.to_string()).collect(),
        };
        let own = Own {
            table,
            task: Task::Classification,
            test_share: 0.25,
        };
        let train = rows - rows / 4;
        with_own(
            &format!(
                "X = features(own, {train}, 4)\ny = labels(own, {train}, 4)\nW = param(zeros([2, 3]))\nL = cross_entropy(X @ W, y)"
            ),
            &own,
        )
    }

    #[test]
    fn compiling_provides_the_rows_and_the_split() {
        let source = program(40);
        let graph = compile(&source).unwrap();
        let x = graph.node(graph.find("X").unwrap());
        assert_eq!(x.shape, [4, 2]);
        let spec = x.role.data().unwrap().clone();
        let split = spec.load().unwrap();
        assert_eq!((split.train.rows(), split.test.rows()), (30, 10));
        let own = read(&source).unwrap().unwrap();
        let mut all: Vec<f64> = split
            .train
            .targets
            .iter()
            .chain(&split.test.targets)
            .copied()
            .collect();
        let mut expected = own.table.targets.clone();
        all.sort_by(f64::total_cmp);
        expected.sort_by(f64::total_cmp);
        assert_eq!(all, expected, "every row once");
        // A program without own data has none.
        compile("x = 1").unwrap();
        assert_eq!(
            spec.load(),
            Err(crate::data::dataset::DatasetError::NoOwnData)
        );
        let error = compile("X = features(own, 3, 2)").unwrap_err();
        assert!(error.to_string().contains("no own data"), "{error}");
        // A mistake in the rows is the program's, at its place.
        let bad = source.replacen("# own rows: ", "# own rows: 1 q 0; ", 1);
        let error = compile(&bad).unwrap_err();
        assert_eq!(&bad[error.span().start..error.span().end], "q");
        assert!(DataSpec::is_dataset(OWN));
    }

    #[test]
    fn own_data_goes_through_a_link_and_back() {
        let source = program(MAX_ROWS);
        let state = UrlState {
            program: source.clone(),
            inputs: Vec::new(),
            mode: ModeChoice::Reverse,
            step: 0,
            tensors: Vec::new(),
            about: None,
            setup: Default::default(),
            quiz: None,
            storage: Default::default(),
        };
        let back = UrlState::from_fragment(&state.to_fragment()).unwrap();
        assert_eq!(back.program, source);
        let before = read(&source).unwrap().unwrap();
        compile(&back.program).unwrap();
        assert_eq!(read(&back.program).unwrap().unwrap(), before);
        assert_eq!(before.table.rows(), MAX_ROWS);
        // The largest own data fits the parser's limit on a program's size.
        assert!(source.len() < 64 * 1024, "{} bytes", source.len());
    }

    fn link_of(program: &str) -> String {
        UrlState {
            program: program.to_owned(),
            inputs: Vec::new(),
            mode: ModeChoice::Reverse,
            step: 0,
            tensors: Vec::new(),
            about: None,
            setup: Default::default(),
            quiz: None,
            storage: Default::default(),
        }
        .to_fragment()
    }

    #[test]
    fn class_names_go_through_a_link_and_back() {
        let mut source = program(30);
        let mut own = read(&source).unwrap().unwrap();
        own.table.class_names = vec!["setosa".into(), "versicolor".into(), "virginica".into()];
        source = with_own(&source, &own);
        let back = UrlState::from_fragment(&link_of(&source)).unwrap();
        assert!(
            back.program
                .contains("3 classes: setosa versicolor virginica")
        );
        assert_eq!(read(&back.program).unwrap().unwrap(), own);
        let graph = compile(&back.program).unwrap();
        let spec = graph
            .node(graph.find("y").unwrap())
            .role
            .data()
            .unwrap()
            .clone();
        assert_eq!(spec.load().unwrap().test.class_names, own.table.class_names);
    }

    #[test]
    fn a_link_leaves_out_rows_the_page_keeps_and_its_reader_is_told_where() {
        let source = program(5000);
        let own = read(&source).unwrap().unwrap();
        assert_eq!(own.table.rows(), 5000);
        let graph = compile(&source).unwrap();
        let spec = graph
            .node(graph.find("X").unwrap())
            .role
            .data()
            .unwrap()
            .clone();
        let split = spec.load().unwrap();
        assert_eq!((split.train.rows(), split.test.rows()), (3750, 1250));
        let link = link_of(&source);
        assert!(link.len() < 1000, "{} characters", link.len());
        std::thread::spawn(move || {
            let back = UrlState::from_fragment(&link).unwrap();
            assert_eq!(back.program, source, "the program, without rows");
            let error = compile(&back.program).unwrap_err();
            let at = crate::lang::span::locate(&back.program, error.span().start);
            assert_eq!(
                (at.line, at.column),
                (1, back.program.find("5000 rows").unwrap() + 1),
                "{error}"
            );
            assert!(
                error
                    .to_string()
                    .contains("5,000 rows of own data stayed in the page"),
                "{error}"
            );
        })
        .join()
        .unwrap();
    }
}
