//! Search terms: how text becomes the keys of the search index. `search.js` in the theme
//! splits a query the same way, so the rules here are the rules of the query too:
//! - every character is folded first: full-width forms to ASCII, upper to lower case,
//!   traditional to simplified Chinese ([`TRADITIONAL`], shipped to the browser as well);
//! - a run of CJK characters gives its overlapping bigrams (`华东精密` → 华东 东精 精密), so
//!   any two or more characters from inside a word find it; titles also give each character;
//! - a run of letters and digits is a word (at least two characters; titles also give its
//!   first letter), matched by prefix in the browser;
//! - everything else separates.

use std::sync::LazyLock;

/// Longest term in bytes: a CJK bigram is 6; longer words are cut (a query is cut alike).
pub const MAX_TERM: usize = 15;

/// Traditional characters and their simplified forms, pair by pair: the common characters of
/// business and sales text, surnames and place names. Search folds the first into the second
/// on both sides, so 報價 finds 报价 and the other way round.
pub const TRADITIONAL: &str = "們個來時會說這對國學長門問間開關電話語請認識讓還進過動機經濟產業價報買賣貨費質務員專單與為無現發當實體點從後裡裏雙戶區華東車書見聽寫讀記論議計設試調談謝證評詢訂購銷錢銀鐵鋼錶鏈鎖閱際陸隊陽種積穩競筆節範簡籌級紀約紅納紙紹終組結給絡統絕維綜網線練緊總績續聯聲職腦臨興舉舊藥蘇號衛裝製複規視覽觀訊託許訴診詞詳誠誤課諮謀講護變讚貝負財責貴貿資賓賠賬賺贏趕軟較載輕輸轉辦農運達遠適選遲遺郵鄉醫針鈔鋪錄錯鍵鎮閉閒闆陳隨險隱雜難雞離靜項順須預領頻題額顧風飛飯館馬驗驅髮魚鳥麥黃齊齒龍億萬兩參傳優儲倉備僅僱兒內決況淨則剛創劃劇勞勢協卻廠廣廳縣歲歷氣漢潛災煉熱燈營爭狀獨獲環畫療盤眾碼確禮稅稱窮籤簽糧係紐純細綠編緣縮繫罰義習聞腳膚臉艙莊葉蓋薦處虛術補襲覺親觸導將屆層屬島嶺幣帳幫廢彈強歸徵復態懷戰戲擇擊據擴擁擬擔換損搶攜數斷條極構標樣樓橋權檢檔歡殺毀滅漲滿濕灣獎瑪畢異疊盡監礎祕穀竊築類紛罷羅聖肅脅腎膠臺艦萊蘭蟲覓訪誌誰謂貓販賀賴贈跡踐蹤軍輛輪辭邊遞邏醜釋鈴鉛銅銳鋁錦鍋鏡鐘鑑鑽閃閣闊隻雖雲響頁頂頭頸顆願顯飲飾餘駐騎騰驚鬥鬧麗黨嘗噸團圍圓圖場壓壞壽夠夥奪奮婦媽孫寧寶尋師帶幾庫廟張偉劉趙楊吳鄭馮蔣韓鍾蕭鄧歐譚龔嚴賈鄒閻盧錫揚紡織採週應該麼嗎並於纔啟啓曆準鬆衝憂慮惡愛勵賽樂藝貸債匯滙虧潤閘測軸閥鑄鍛噴塗";
/// The simplified form of each character of [`TRADITIONAL`], in the same order.
pub const SIMPLIFIED: &str = "们个来时会说这对国学长门问间开关电话语请认识让还进过动机经济产业价报买卖货费质务员专单与为无现发当实体点从后里里双户区华东车书见听写读记论议计设试调谈谢证评询订购销钱银铁钢表链锁阅际陆队阳种积稳竞笔节范简筹级纪约红纳纸绍终组结给络统绝维综网线练紧总绩续联声职脑临兴举旧药苏号卫装制复规视览观讯托许诉诊词详诚误课谘谋讲护变赞贝负财责贵贸资宾赔账赚赢赶软较载轻输转办农运达远适选迟遗邮乡医针钞铺录错键镇闭闲板陈随险隐杂难鸡离静项顺须预领频题额顾风飞饭馆马验驱发鱼鸟麦黄齐齿龙亿万两参传优储仓备仅雇儿内决况净则刚创划剧劳势协却厂广厅县岁历气汉潜灾炼热灯营争状独获环画疗盘众码确礼税称穷签签粮系纽纯细绿编缘缩系罚义习闻脚肤脸舱庄叶盖荐处虚术补袭觉亲触导将届层属岛岭币帐帮废弹强归征复态怀战戏择击据扩拥拟担换损抢携数断条极构标样楼桥权检档欢杀毁灭涨满湿湾奖玛毕异叠尽监础秘谷窃筑类纷罢罗圣肃胁肾胶台舰莱兰虫觅访志谁谓猫贩贺赖赠迹践踪军辆轮辞边递逻丑释铃铅铜锐铝锦锅镜钟鉴钻闪阁阔只虽云响页顶头颈颗愿显饮饰余驻骑腾惊斗闹丽党尝吨团围圆图场压坏寿够伙夺奋妇妈孙宁宝寻师带几库庙张伟刘赵杨吴郑冯蒋韩钟萧邓欧谭龚严贾邹阎卢锡扬纺织采周应该么吗并于才启启历准松冲忧虑恶爱励赛乐艺贷债汇汇亏润闸测轴阀铸锻喷涂";

/// The first character [`FOLD`] covers: the CJK blocks up to U+9FFF, where every character of
/// [`TRADITIONAL`] is (checked by a test).
const FOLD_FROM: u32 = 0x3400;

/// Characters [`FOLD`] covers.
const FOLD_LEN: usize = (0x9FFF - FOLD_FROM + 1) as usize;

/// The folded form of each character from [`FOLD_FROM`] to U+9FFF (itself but for
/// [`TRADITIONAL`]): one look-up per character (a tenth of a build's characters are Chinese).
/// Of fixed length, so that an index below it needs no test.
static FOLD: LazyLock<Box<[u16; FOLD_LEN]>> = LazyLock::new(|| {
    let mut table = Box::new([0u16; FOLD_LEN]);
    for (i, slot) in table.iter_mut().enumerate() {
        *slot = (FOLD_FROM as usize + i) as u16;
    }
    for (t, s) in TRADITIONAL.chars().zip(SIMPLIFIED.chars()) {
        table[(t as u32 - FOLD_FROM) as usize] = s as u32 as u16;
    }
    table
});

/// Each ASCII byte lowered when it is a letter or a digit (what a word is made of), else 0.
const WORD_BYTE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Whether `c` is written without spaces between words (Han, kana, Hangul): indexed by bigrams.
#[inline]
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F)
}

/// One character as search sees it: full-width to ASCII, lower case, simplified.
#[inline]
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase()),
        0x3000 => ' ',
        k @ FOLD_FROM..=0x9FFF => char::from_u32(FOLD[(k - FOLD_FROM) as usize] as u32).unwrap_or(c),
        _ if c.is_uppercase() => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
        _ => c,
    }
}

/// A term of at most [`MAX_TERM`] bytes, packed into one number (bytes first, then the
/// length) so a page's terms are sorted and deduplicated as plain integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term(u128);

impl Term {
    fn from_bytes(b: &[u8]) -> Term {
        let n = b.len().min(MAX_TERM);
        let mut buf = [0u8; 16];
        buf[..n].copy_from_slice(&b[..n]);
        buf[15] = n as u8;
        Term(u128::from_be_bytes(buf))
    }

    /// The first `n` bytes of `buf` as a term, the same as [`Term::from_bytes`] on them: the
    /// bytes after `n` (left from a longer word) masked off instead of copied around.
    fn from_buffer(buf: &[u8; MAX_TERM], n: usize) -> Term {
        let mut all = [0u8; 16];
        all[..MAX_TERM].copy_from_slice(buf);
        let n = n.min(MAX_TERM);
        let keep = u128::MAX.checked_shl(128 - 8 * n as u32).unwrap_or(0);
        Term((u128::from_be_bytes(all) & keep) | n as u128)
    }

    /// Two characters as one term (a CJK bigram): built from the code points directly when
    /// both take three bytes of UTF-8, as nearly all CJK characters do.
    #[inline]
    fn pair(a: char, b: char) -> Term {
        let (a32, b32) = (a as u32, b as u32);
        if (0x800..0x10000).contains(&a32) && (0x800..0x10000).contains(&b32) {
            return Term(((three(a32) << 24 | three(b32)) << 80) | 6);
        }
        let mut buf = [0u8; 8];
        let n = a.encode_utf8(&mut buf).len();
        let m = b.encode_utf8(&mut buf[n..]).len();
        Term::from_bytes(&buf[..n + m])
    }

    /// One CJK ideograph (U+4E00 to U+9FFF) as a term, as [`Term::from_bytes`] on its UTF-8.
    #[inline]
    fn ideograph_term(c: u32) -> Term {
        Term(three(c) << 104 | 3)
    }

    pub fn len(self) -> usize {
        (self.0 & 0xFF) as usize
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn bytes(self) -> ([u8; MAX_TERM], usize) {
        let all = self.0.to_be_bytes();
        let mut out = [0u8; MAX_TERM];
        out.copy_from_slice(&all[..MAX_TERM]);
        (out, self.len())
    }

    pub fn to_str(self) -> String {
        let (b, n) = self.bytes();
        String::from_utf8_lossy(&b[..n]).into_owned()
    }

    /// Which of `parts` (a power of two) gathers the term while the index is made.
    pub fn part(self, parts: usize) -> usize {
        let mixed = ((self.0 as u64) ^ ((self.0 >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 32) as usize & (parts - 1)
    }

    /// The index shard of the term, of `shards`: [`shard_of`] its key, which is a CJK term
    /// itself, or a word's first two characters (a query word finds every word it begins,
    /// and they share a shard).
    pub fn shard(self, shards: u32) -> u32 {
        let (b, len) = self.bytes();
        let s = std::str::from_utf8(&b[..len]).unwrap_or_default();
        let end = match s.chars().next() {
            Some(c) if is_cjk(c) => len,
            _ => s.char_indices().nth(2).map_or(len, |(i, _)| i),
        };
        shard_of_bytes(&b[..end], shards)
    }
}

/// The UTF-8 bytes of a character from U+0800 to U+FFFF, as a number (first byte highest).
#[inline(always)]
fn three(c: u32) -> u128 {
    (((0xE0 | (c >> 12)) as u128) << 16) | (((0x80 | ((c >> 6) & 0x3F)) as u128) << 8) | (0x80 | (c & 0x3F)) as u128
}

/// FNV-1a over UTF-8 bytes: the shard of a key, computed alike in `search.js`.
pub fn shard_of(key: &str, shards: u32) -> u32 {
    shard_of_bytes(key.as_bytes(), shards)
}

fn shard_of_bytes(key: &[u8], shards: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in key {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h % shards.max(1)
}

/// The code point of a three-byte UTF-8 character.
#[inline(always)]
fn three_bytes(b: &[u8]) -> u32 {
    ((b[0] as u32 & 0x0F) << 12) | ((b[1] as u32 & 0x3F) << 6) | (b[2] as u32 & 0x3F)
}

/// `k` folded, when it is a CJK Unified Ideograph (U+4E00 to U+9FFF: nearly every character
/// of Chinese text), which takes the tokenizer's shortest path. Its folded form is one too
/// (checked by a test).
#[inline(always)]
fn ideograph(fold_table: &[u16; FOLD_LEN], k: u32) -> Option<u32> {
    if !(0x4E00..=0x9FFF).contains(&k) {
        return None;
    }
    fold_table.get((k - FOLD_FROM) as usize).map(|&s| s as u32)
}

/// Turns text into terms, fed piece by piece (the text events of a markdown body).
#[derive(Default)]
pub struct Tokenizer {
    /// The last CJK character, while in a CJK run.
    prev: Option<char>,
    word: [u8; MAX_TERM],
    word_len: usize,
    word_chars: usize,
    /// The word no longer fits [`MAX_TERM`]: the rest of it is dropped.
    word_full: bool,
    /// Titles: also each CJK character and each word's first letter.
    pub title: bool,
    pub terms: Vec<Term>,
    /// Bigrams of two characters from the Basic Multilingual Plane (nearly all Chinese), as
    /// `first << 16 | second`: a body repeats its words, and sorting and deduplicating
    /// these small numbers before they become terms costs a fraction of doing it on terms.
    pairs: Vec<u32>,
    /// The pair last pushed in each slot (made once a text has 64 pairs): more than half of
    /// a body's pairs repeat one seen recently and stop here, before the sort.
    recent: Vec<u32>,
    /// The word last pushed in each slot, for a body (a word repeats as a bigram does): more
    /// than a third of a body's words stop here, before the sort.
    recent_words: Vec<Term>,
}

/// Slots of [`Tokenizer::recent`].
const RECENT: usize = 512;
/// Slots of [`Tokenizer::recent_words`].
const RECENT_WORDS: usize = 64;

impl Tokenizer {
    /// A title's or a field's tokenizer: its lists start with room for a title's terms (one
    /// allocation each instead of a few as they grow).
    pub fn new(title: bool) -> Self {
        Tokenizer {
            title,
            terms: Vec::with_capacity(16),
            pairs: Vec::with_capacity(16),
            ..Default::default()
        }
    }

    /// A body's tokenizer, its lists sized for `len` bytes of text up front instead of
    /// grown (and copied) a doubling at a time.
    pub fn for_body(len: usize) -> Self {
        Tokenizer {
            terms: Vec::with_capacity(len / 16),
            pairs: Vec::with_capacity(len / 8),
            recent_words: vec![Term::default(); RECENT_WORDS],
            ..Default::default()
        }
    }

    #[inline]
    fn push(&mut self, t: Term) {
        self.terms.push(t);
    }

    #[inline(always)]
    fn pair(&mut self, k: u32) {
        if self.recent.is_empty() {
            // A title or a field: too short to need the table.
            if self.pairs.len() < 64 {
                self.pairs.push(k);
                return;
            }
            self.recent = vec![u32::MAX; RECENT];
        }
        let slot = &mut self.recent[(k.wrapping_mul(0x9E37_79B1) >> (32 - RECENT.trailing_zeros())) as usize];
        if *slot != k {
            *slot = k;
            self.pairs.push(k);
        }
    }

    pub fn feed(&mut self, text: &str) {
        let fold_table: &[u16; FOLD_LEN] = &FOLD;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // ASCII without decoding (most of the markup and English text).
            let b = bytes[i];
            if b < 0x80 {
                if WORD_BYTE[b as usize] != 0 {
                    i = self.ascii_word(bytes, i);
                } else {
                    i += 1;
                    self.boundary();
                }
                continue;
            }
            // Three-byte characters (nearly all CJK) decoded in place: `text` is valid UTF-8.
            let c = if (0xE0..0xF0).contains(&b) && i + 2 < bytes.len() {
                let k = three_bytes(&bytes[i..i + 3]);
                i += 3;
                // CJK Unified Ideographs (U+4E00 to U+9FFF: nearly every character of Chinese
                // text): folded and paired without the general path's tests.
                if let Some(c) = ideograph(fold_table, k).and_then(char::from_u32) {
                    self.cjk(c);
                    i = self.ideograph_run(fold_table, bytes, i, c as u32);
                    continue;
                }
                char::from_u32(k).unwrap_or(' ')
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                i += c.len_utf8();
                c
            };
            let c = fold(c);
            if c.is_ascii() {
                self.ascii(c as u8);
            } else if is_cjk(c) {
                self.cjk(c);
            } else if matches!(c as u32, 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F) {
                // CJK punctuation (、。《》「」【】…; the full-width ，：；！ are ASCII by now), the
                // common case after CJK, without the look-up in Unicode's tables.
                self.boundary();
            } else if c.is_alphanumeric() {
                let mut buf = [0u8; 4];
                self.word_part(c.encode_utf8(&mut buf).as_bytes());
            } else {
                self.boundary();
            }
        }
    }

    /// The rest of a run of CJK Unified Ideographs from `bytes[i..]`, after `prev` (folded): each
    /// paired with the one before it, as [`Tokenizer::cjk`] does, without its tests for an open
    /// word or a first character. Returns where the run ends.
    #[inline(always)]
    fn ideograph_run(&mut self, fold_table: &[u16; FOLD_LEN], bytes: &[u8], mut i: usize, mut prev: u32) -> usize {
        while let Some(&[b0, b1, b2]) = bytes.get(i..i + 3) {
            // A three-byte character at most U+9FFF (`bytes` is valid UTF-8).
            if !(0xE4..=0xE9).contains(&b0) {
                break;
            }
            let Some(next) = ideograph(fold_table, three_bytes(&[b0, b1, b2])) else {
                break;
            };
            i += 3;
            self.pair(prev << 16 | next);
            if self.title {
                self.push(Term::ideograph_term(next));
            }
            prev = next;
        }
        self.prev = char::from_u32(prev);
        i
    }

    /// One CJK character (folded): a bigram with the one before it, and itself in titles.
    #[inline(always)]
    fn cjk(&mut self, c: char) {
        self.end_word();
        if let Some(p) = self.prev {
            let (a, b) = (p as u32, c as u32);
            if a < 0x10000 && b < 0x10000 {
                self.pair(a << 16 | b);
            } else {
                self.push(Term::pair(p, c));
            }
        }
        if self.title {
            let mut buf = [0u8; 4];
            self.push(Term::from_bytes(c.encode_utf8(&mut buf).as_bytes()));
        }
        self.prev = Some(c);
    }

    #[inline]
    fn ascii(&mut self, b: u8) {
        if !b.is_ascii_alphanumeric() {
            self.boundary();
            return;
        }
        self.prev = None;
        if !self.word_full && self.word_len < MAX_TERM {
            self.word[self.word_len] = b.to_ascii_lowercase();
            self.word_len += 1;
        } else {
            self.word_full = true;
        }
        self.word_chars += 1;
    }

    /// The run of ASCII letters and digits from `bytes[i..]`, more of a word: as
    /// [`Tokenizer::ascii`] on each, found and lowered in one pass. Returns where it ends.
    #[inline]
    fn ascii_word(&mut self, bytes: &[u8], start: usize) -> usize {
        self.prev = None;
        let (mut n, mut full) = (self.word_len, self.word_full);
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            let lower = WORD_BYTE[(b & 0x7F) as usize];
            if b >= 0x80 || lower == 0 {
                break;
            }
            match self.word.get_mut(n) {
                Some(to) if !full => {
                    *to = lower;
                    n += 1;
                }
                _ => full = true,
            }
            i += 1;
        }
        (self.word_len, self.word_full) = (n, full);
        self.word_chars += i - start;
        i
    }

    /// One more character of a word, as UTF-8.
    fn word_part(&mut self, b: &[u8]) {
        self.prev = None;
        if !self.word_full && self.word_len + b.len() <= MAX_TERM {
            self.word[self.word_len..self.word_len + b.len()].copy_from_slice(b);
            self.word_len += b.len();
        } else {
            self.word_full = true;
        }
        self.word_chars += 1;
    }

    /// The end of a block: the next text does not continue this one's word or CJK run.
    pub fn boundary(&mut self) {
        self.prev = None;
        self.end_word();
    }

    #[inline]
    fn end_word(&mut self) {
        if self.word_chars != 0 {
            self.take_word();
        }
    }

    fn take_word(&mut self) {
        if self.word_chars >= 2 {
            let t = Term::from_buffer(&self.word, self.word_len);
            if self.recent_words.is_empty() {
                self.push(t);
            } else {
                let slot = &mut self.recent_words[t.part(RECENT_WORDS)];
                if *slot != t {
                    *slot = t;
                    self.push(t);
                }
            }
        }
        if self.title {
            let buf = self.word;
            let word = &buf[..self.word_len];
            let first = std::str::from_utf8(word)
                .ok()
                .and_then(|w| w.chars().next())
                .map_or(1, char::len_utf8);
            let t = Term::from_bytes(&word[..first]);
            self.push(t);
        }
        self.word_len = 0;
        self.word_chars = 0;
        self.word_full = false;
    }

    /// The terms, sorted and each once: the bigram codes sorted as the small numbers they
    /// are (a code's order is its term's), then merged with the other terms.
    pub fn finish(mut self) -> Vec<Term> {
        self.boundary();
        self.pairs.sort_unstable();
        self.pairs.dedup();
        self.terms.sort_unstable();
        self.terms.dedup();
        let mut out = Vec::with_capacity(self.pairs.len() + self.terms.len());
        let mut pairs = self.pairs.iter().map(|k| pair_term(*k)).peekable();
        for t in self.terms {
            while let Some(p) = pairs.next_if(|p| *p < t) {
                out.push(p);
            }
            // A term both ways (none is, but the merge need not know) is kept once.
            pairs.next_if_eq(&t);
            out.push(t);
        }
        out.extend(pairs);
        out
    }

    /// The terms, packed: the bigrams as their 4-byte codes, the rest with their bytes.
    pub fn into_packed(mut self) -> Packed {
        self.boundary();
        self.pairs.sort_unstable();
        self.pairs.dedup();
        self.terms.sort_unstable();
        self.terms.dedup();
        Packed::from_parts(&self.pairs, &self.terms)
    }
}

/// The terms of `text`, sorted and each once.
pub fn terms(text: &str, title: bool) -> Vec<Term> {
    let mut t = Tokenizer::new(title);
    t.feed(text);
    t.finish()
}

/// A page body's terms, packed to keep little memory for the whole site (about 4 bytes a
/// term instead of 16): the number of bigrams of two BMP characters, their codes
/// (`first << 16 | second`, little-endian u32s), then the other terms as a length byte and
/// their bytes. Both parts sorted: a code's order is its term's (both characters take three
/// bytes of UTF-8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packed(Box<[u8]>);

/// The term of a bigram code: built in place when both characters take three bytes of
/// UTF-8 (every CJK character of the BMP does), as [`Term::pair`] builds it.
#[inline(always)]
fn pair_term(k: u32) -> Term {
    let (a, b) = (k >> 16, k & 0xFFFF);
    if a >= 0x800 && b >= 0x800 {
        return Term(((three(a) << 24 | three(b)) << 80) | 6);
    }
    Term::pair(char::from_u32(a).unwrap_or(' '), char::from_u32(b).unwrap_or(' '))
}

impl Packed {
    fn from_parts(pairs: &[u32], terms: &[Term]) -> Packed {
        let mut out = Vec::with_capacity(4 + pairs.len() * 4 + terms.len() * 6);
        out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        for k in pairs {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for t in terms {
            let (b, n) = t.bytes();
            out.push(n as u8);
            out.extend_from_slice(&b[..n]);
        }
        Packed(out.into_boxed_slice())
    }

    /// About how many terms there are (a bigram takes 4 bytes, another term more).
    pub fn about(&self) -> usize {
        self.0.len() / 4
    }

    pub fn is_empty(&self) -> bool {
        self.0.len() <= 4
    }

    /// The terms, sorted.
    pub fn iter(&self) -> impl Iterator<Item = Term> + '_ {
        self.to_vec().into_iter()
    }

    /// The terms, sorted: the two sorted parts merged into one list (in a loop of their own:
    /// every body's terms pass through here once as the index is made).
    fn to_vec(&self) -> Vec<Term> {
        let count = self
            .0
            .get(..4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let end = (4 + count * 4).min(self.0.len());
        let pairs = self.0.get(4..end).unwrap_or_default().chunks_exact(4);
        let mut rest = self.0.get(end..).unwrap_or_default();
        let mut out = Vec::with_capacity(pairs.len() + rest.len() / 4);
        let mut next_other = || {
            let (&n, tail) = rest.split_first()?;
            let n = (n as usize).min(tail.len());
            let (term, tail) = tail.split_at(n);
            rest = tail;
            Some(Term::from_bytes(term))
        };
        let mut other = next_other();
        for b in pairs {
            let pair = pair_term(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            while let Some(o) = other.filter(|o| *o < pair) {
                out.push(o);
                other = next_other();
            }
            out.push(pair);
        }
        while let Some(o) = other {
            out.push(o);
            other = next_other();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(terms: &[Term]) -> Vec<String> {
        terms.iter().map(|t| t.to_str()).collect()
    }

    #[test]
    fn chinese_gives_overlapping_bigrams() {
        assert_eq!(strs(&terms("华东精密", false)), ["东精", "华东", "精密"]);
        // A lone character is not a body term; a title gives every character.
        assert!(terms("好", false).is_empty());
        let t = strs(&terms("精密", true));
        assert!(t.contains(&"精".to_owned()) && t.contains(&"密".to_owned()) && t.contains(&"精密".to_owned()));
    }

    #[test]
    fn english_gives_words_folded() {
        assert_eq!(
            strs(&terms("ABB Robotics, a quote!", false)),
            ["abb", "quote", "robotics"]
        );
        // Titles also give first letters, for one-letter queries.
        assert!(strs(&terms("ABB", true)).contains(&"a".to_owned()));
    }

    #[test]
    fn mixed_text_splits_at_the_script() {
        assert_eq!(strs(&terms("ABB报价2026年", false)), ["2026", "abb", "报价"]);
    }

    #[test]
    fn width_case_and_traditional_fold_alike() {
        assert_eq!(terms("ＡＢＢ　報價", false), terms("abb 报价", false));
        assert_eq!(terms("華東精密機械", false), terms("华东精密机械", false));
        assert_eq!(fold('張'), '张');
    }

    #[test]
    fn the_traditional_table_is_a_clean_mapping() {
        let t: Vec<char> = TRADITIONAL.chars().collect();
        let s: Vec<char> = SIMPLIFIED.chars().collect();
        assert_eq!(t.len(), s.len());
        let mut seen = std::collections::HashSet::new();
        for (a, b) in t.iter().zip(&s) {
            assert!(seen.insert(*a), "{a} twice");
            assert_ne!(a, b);
            // Folding twice changes nothing: no simplified form is itself folded.
            assert!(!t.contains(b), "{b} is on both sides");
            assert!((FOLD_FROM..=0x9FFF).contains(&(*a as u32)), "{a} is outside the table");
        }
    }

    #[test]
    fn pairs_are_the_bytes_of_both_characters() {
        for (a, b) in [
            ('华', '东'),
            ('𠀀', '东'),
            ('东', '𠀀'),
            ('ア', 'イ'),
            ('é', '东'),
            ('东', 'a'),
        ] {
            let mut s = String::new();
            s.push(a);
            s.push(b);
            assert_eq!(Term::pair(a, b), Term::from_bytes(s.as_bytes()), "{s}");
            if (b as u32) < 0x10000 && (a as u32) < 0x10000 {
                assert_eq!(pair_term((a as u32) << 16 | b as u32), Term::pair(a, b), "{s}");
            }
        }
    }

    #[test]
    fn cjk_punctuation_separates_and_cjk_numerals_do_not() {
        assert_eq!(strs(&terms("报价。精密、《机械》", false)), ["报价", "机械", "精密"]);
        // 〇 is a numeral (二〇二六): a word character, not punctuation.
        assert_eq!(strs(&terms("〇〇", false)), ["〇〇"]);
    }

    #[test]
    fn long_words_are_cut_at_a_character() {
        let t = terms("Ärzteverbandsvorsitzender", false);
        assert_eq!(t.len(), 1);
        let s = t[0].to_str();
        assert!(
            s.len() <= MAX_TERM && "ärzteverbandsvorsitzender".starts_with(&s),
            "{s}"
        );
    }

    #[test]
    fn a_term_from_a_buffer_is_its_bytes() {
        let buf = *b"abcdefghijklmno";
        for n in 0..=MAX_TERM {
            assert_eq!(Term::from_buffer(&buf, n), Term::from_bytes(&buf[..n]), "{n}");
        }
    }

    #[test]
    fn ascii_runs_give_what_their_characters_give_one_at_a_time() {
        // A run of ASCII letters and digits is taken at once; fed a character at a time (a
        // piece of text continues the word before it) the terms must be the same, at the
        // word's length limit and past it too.
        for text in [
            "abcdefghijklmno",
            "abcdefghijklmnop and more",
            "abcdefghijklmnoé",
            "abcdefghijklméxyz",
            "ÄBCdefghijklmnopqrs Robotics 2026年报价 x",
            "a1 B2 c",
            "Ｑ４ＡＢＣ abc",
            "華東精密機械，报价。好 一",
            "アイ精密ウ㐀东𠀀华东",
        ] {
            for title in [false, true] {
                let mut by_char = Tokenizer::new(title);
                for c in text.chars() {
                    by_char.feed(c.encode_utf8(&mut [0; 4]));
                }
                assert_eq!(terms(text, title), by_char.finish(), "{text}");
            }
            let mut body = Tokenizer::for_body(text.len());
            body.feed(text);
            assert_eq!(
                body.into_packed().iter().collect::<Vec<_>>(),
                terms(text, false),
                "{text}"
            );
        }
    }

    /// The rules of the module's doc, a character at a time and nothing else: what the
    /// tokenizer's fast paths (ASCII runs, runs of ideographs, the bigram codes and the
    /// packing) must give.
    fn by_the_rules(text: &str, title: bool) -> Vec<Term> {
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        let (mut word, mut chars, mut full) = (String::new(), 0, false);
        let end_word = |out: &mut Vec<Term>, word: &mut String, chars: &mut usize, full: &mut bool| {
            if *chars >= 2 {
                out.push(Term::from_bytes(word.as_bytes()));
            }
            if title && *chars > 0 {
                let first = word.chars().next().map_or(1, char::len_utf8);
                out.push(Term::from_bytes(&word.as_bytes()[..first]));
            }
            (*word, *chars, *full) = (String::new(), 0, false);
        };
        for c in text.chars().map(fold) {
            if is_cjk(c) {
                end_word(&mut out, &mut word, &mut chars, &mut full);
                if let Some(p) = prev {
                    out.push(Term::from_bytes(format!("{p}{c}").as_bytes()));
                }
                if title {
                    out.push(Term::from_bytes(c.to_string().as_bytes()));
                }
                prev = Some(c);
            } else if c.is_alphanumeric() {
                prev = None;
                if !full && word.len() + c.len_utf8() <= MAX_TERM {
                    word.push(c);
                } else {
                    full = true;
                }
                chars += 1;
            } else {
                prev = None;
                end_word(&mut out, &mut word, &mut chars, &mut full);
            }
        }
        end_word(&mut out, &mut word, &mut chars, &mut full);
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn the_fast_paths_give_what_the_rules_give_on_random_text() {
        // Yi syllables (ꀀ, U+A000) make words whose bytes sort after the bigrams' codes, and
        // the Ext-B pairs (𠀀) are terms of their own: the packing's merge sees both sides.
        let alphabet: Vec<char> =
            "aZq09 ,.-_\n华东華東報價精密机械拜访记录丂鿿㐀アイ〇。、《》ＡｂＱ４　éÄßİ𠀀𠀁한국ꀀꀁㄅ"
                .chars()
                .collect();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            // Runs of one script as well as single characters, so words reach the length limit.
            let mut text = String::new();
            for _ in 0..next(40) {
                let c = alphabet[next(alphabet.len())];
                for _ in 0..1 + next(3) * next(8) {
                    text.push(if next(4) == 0 {
                        alphabet[next(alphabet.len())]
                    } else {
                        c
                    });
                }
            }
            for title in [false, true] {
                let expected = by_the_rules(&text, title);
                assert_eq!(terms(&text, title), expected, "{text:?}");
                // Fed in pieces cut anywhere between characters: words and runs continue.
                let mut pieces = Tokenizer::new(title);
                let mut rest = text.as_str();
                while !rest.is_empty() {
                    let mut cut = next(rest.len() + 1);
                    while !rest.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    let cut = if cut == 0 {
                        rest.chars().next().map_or(0, char::len_utf8)
                    } else {
                        cut
                    };
                    pieces.feed(&rest[..cut]);
                    rest = &rest[cut..];
                }
                assert_eq!(pieces.finish(), expected, "{text:?}");
            }
            let mut body = Tokenizer::for_body(text.len());
            body.feed(&text);
            assert_eq!(
                body.into_packed().iter().collect::<Vec<_>>(),
                by_the_rules(&text, false),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ideographs_fold_to_ideographs() {
        for k in 0x4E00..=0x9FFFu32 {
            let c = char::from_u32(k).unwrap_or(' ');
            assert_eq!(
                Term::ideograph_term(k),
                Term::from_bytes(c.to_string().as_bytes()),
                "{c}"
            );
            assert_eq!(ideograph(&FOLD, k), Some(fold(c) as u32), "{c}");
            assert!((0x4E00..=0x9FFF).contains(&(fold(c) as u32)), "{c}");
        }
    }

    #[test]
    fn shards_and_packing() {
        let t = terms("robotics 华东", false);
        // A word's shard is its first two characters'; a CJK term's, its own.
        assert_eq!(t[0].to_str(), "robotics");
        assert_eq!(t[0].shard(64), shard_of("ro", 64));
        assert_eq!(t[1].shard(64), shard_of("华东", 64));
        let p = Packed::from_parts(&[], &t);
        assert_eq!(p.iter().collect::<Vec<_>>(), t);
        // A tokenizer's own packing: bigrams as codes, merged back in order with the words.
        let mut tk = Tokenizer::new(false);
        tk.feed("华东精密 abb 东精 zz 𠀀𠀁");
        let packed = tk.into_packed();
        assert_eq!(
            packed.iter().map(|t| t.to_str()).collect::<Vec<_>>(),
            ["abb", "zz", "东精", "华东", "精密", "𠀀𠀁"]
        );
        // The same numbers as search.js's FNV-1a.
        assert_eq!(shard_of("", 1 << 31), 0x811c_9dc5 % (1 << 31));
        assert_eq!(shard_of("a", u32::MAX), 0xe40c_292c);
    }
}
