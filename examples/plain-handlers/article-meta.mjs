// Article metadata: handler "article-meta.handler" (ESM JavaScript).
// Event: { "title": "Running Lambda handlers locally", "body": "...", "tags": ["aws", "lambda"] }
// Returns the URL slug, word count, reading time and a plain-text excerpt.

const WORDS_PER_MINUTE = 230;
const EXCERPT_LENGTH = 160;

export async function handler(event, context) {
  const { title, body, tags = [] } = event ?? {};
  if (typeof title !== 'string' || title.trim() === '') {
    throw new TypeError('title must be a non-empty string');
  }
  if (typeof body !== 'string') {
    throw new TypeError(`body must be a string, got ${body === null ? 'null' : typeof body}`);
  }
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw new TypeError('tags must be an array of strings');
  }

  const text = body
    .replace(/```[\s\S]*?```/g, ' ') // code blocks are skimmed, not read
    .replace(/[#>*_`[\]()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const slug = slugify(title);
  if (slug === '') {
    throw new Error(`title ${JSON.stringify(title)} has no letters or digits to build a slug from`);
  }
  const wordCount = text === '' ? 0 : text.split(' ').length;
  const cut = text.lastIndexOf(' ', EXCERPT_LENGTH);
  const meta = {
    slug,
    wordCount,
    readingMinutes: Math.max(1, Math.ceil(wordCount / WORDS_PER_MINUTE)),
    excerpt: text.length > EXCERPT_LENGTH ? `${text.slice(0, cut > 0 ? cut : EXCERPT_LENGTH)}…` : text,
    tags: [...new Set(tags.map(slugify))].sort(),
  };
  console.log(`${context?.awsRequestId ?? 'local'}: "${title}" -> /${meta.slug} (${meta.readingMinutes} min read)`);
  return meta;
}

function slugify(value) {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents: "Café" -> "Cafe"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
