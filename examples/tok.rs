use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut texts = Vec::new();
    for e in walkdir::WalkDir::new(&dir) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            texts.push(std::fs::read_to_string(e.path()).unwrap());
        }
    }
    let t = Instant::now();
    let mut n = 0;
    let mut pushed = 0;
    for s in &texts {
        let mut tk = salesbook::search::text::Tokenizer::new(false);
        tk.feed(s);
        pushed += tk.terms.len();
        n += tk.finish().len();
    }
    println!("tokenize+finish {:?} pushed {pushed} unique {n}", t.elapsed());
    let t = Instant::now();
    for s in &texts {
        let mut tk = salesbook::search::text::Tokenizer::new(false);
        tk.feed(s);
        std::hint::black_box(&tk.terms);
    }
    println!("tokenize only {:?}", t.elapsed());
    let t = Instant::now();
    for s in &texts {
        std::hint::black_box(salesbook::parse::markdown::scan(s, 0, ""));
    }
    println!("scan {:?}", t.elapsed());
    let t = Instant::now();
    let mut c = 0usize;
    for s in &texts {
        for ch in s.chars() {
            c += ch as usize & 1;
        }
    }
    println!("chars {:?} {c}", t.elapsed());
}
