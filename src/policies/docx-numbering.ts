import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import JSZip from 'jszip';

/**
 * Word numbers clauses itself ("1.", "3.5", "6.1.2") through list numbering attached to paragraphs
 * or to heading styles, so the numbers are not in the document's text, and mammoth drops them: a
 * policy's section ids would be lost. This writes each numbered paragraph's number into its text,
 * as Word's own text export does ("3.5.<tab>Staff must…"), before mammoth reads the document.
 * Bullets stay list items.
 */

const wordNamespace = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

interface Level {
  start: number;
  format: string;
  text: string;
  /** "Legal" numbering shows every level's counter as a decimal number. */
  legal: boolean;
}

interface Numbering {
  /** Counters are shared by every list instance of one abstract definition. */
  abstractId: string;
  levels: Map<number, Level>;
  /** Levels this instance restarts, with the value they restart at. */
  startOverrides: Map<number, number>;
}

type XmlElement = ReturnType<Document['createElementNS']>;

function children(element: XmlElement | Document, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const candidate = node as XmlElement;
    if (candidate.localName === name && candidate.namespaceURI === wordNamespace) found.push(candidate);
  }
  return found;
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element ? children(element, name)[0] : undefined;
}

/** A `w:` attribute, whether the parser resolved its namespace or kept the prefixed name. */
function attribute(element: XmlElement, name: string): string | undefined {
  return element.getAttributeNS(wordNamespace, name) || element.getAttribute(`w:${name}`) || undefined;
}

function value(element: XmlElement | undefined): string | undefined {
  return element ? attribute(element, 'val') : undefined;
}

function descendants(root: Document | XmlElement, name: string): XmlElement[] {
  return Array.from(root.getElementsByTagNameNS(wordNamespace, name)) as XmlElement[];
}

function readLevels(container: XmlElement): Map<number, Level> {
  const levels = new Map<number, Level>();
  for (const level of children(container, 'lvl')) {
    const index = Number(attribute(level, 'ilvl') ?? 0);
    levels.set(index, {
      start: Number(value(child(level, 'start')) ?? 1),
      format: value(child(level, 'numFmt')) ?? 'decimal',
      text: value(child(level, 'lvlText')) ?? '',
      legal: child(level, 'isLgl') !== undefined,
    });
  }
  return levels;
}

function readNumbering(xml: string | undefined): Map<string, Numbering> {
  const numberings = new Map<string, Numbering>();
  if (!xml) return numberings;
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const abstracts = new Map<string, Map<number, Level>>();
  for (const abstract of descendants(document, 'abstractNum'))
    abstracts.set(attribute(abstract, 'abstractNumId') ?? '', readLevels(abstract));
  for (const instance of descendants(document, 'num')) {
    const id = attribute(instance, 'numId') ?? '';
    const abstractId = value(child(instance, 'abstractNumId')) ?? '';
    const levels = new Map(abstracts.get(abstractId) ?? []);
    const startOverrides = new Map<number, number>();
    for (const override of children(instance, 'lvlOverride')) {
      const index = Number(attribute(override, 'ilvl') ?? 0);
      const start = value(child(override, 'startOverride'));
      if (start !== undefined) startOverrides.set(index, Number(start));
      for (const [overridden, level] of readLevels(override)) levels.set(overridden, level);
    }
    numberings.set(id, { abstractId, levels, startOverrides });
  }
  return numberings;
}

interface NumberReference {
  listId?: string;
  level?: number;
}

/** Numbering that paragraph styles (typically the heading styles) carry, following `basedOn`. */
function readStyleNumbering(xml: string | undefined): (styleId: string | undefined) => NumberReference {
  const styles = new Map<string, { basedOn?: string; reference: NumberReference }>();
  if (xml) {
    const document = new DOMParser().parseFromString(xml, 'text/xml');
    for (const style of descendants(document, 'style')) {
      const id = attribute(style, 'styleId') ?? '';
      const numberProperties = child(child(style, 'pPr'), 'numPr');
      const level = value(child(numberProperties, 'ilvl'));
      styles.set(id, {
        basedOn: value(child(style, 'basedOn')),
        reference: {
          listId: value(child(numberProperties, 'numId')),
          level: level === undefined ? undefined : Number(level),
        },
      });
    }
  }
  return (styleId) => {
    const reference: NumberReference = {};
    const seen = new Set<string>();
    for (let id = styleId; id !== undefined && !seen.has(id); id = styles.get(id)?.basedOn) {
      seen.add(id);
      const own = styles.get(id)?.reference;
      reference.listId ??= own?.listId;
      reference.level ??= own?.level;
    }
    return reference;
  };
}

function roman(value: number): string {
  const numerals: [number, string][] = [
    [1000, 'm'],
    [900, 'cm'],
    [500, 'd'],
    [400, 'cd'],
    [100, 'c'],
    [90, 'xc'],
    [50, 'l'],
    [40, 'xl'],
    [10, 'x'],
    [9, 'ix'],
    [5, 'v'],
    [4, 'iv'],
    [1, 'i'],
  ];
  let remaining = value;
  let text = '';
  for (const [amount, numeral] of numerals)
    while (remaining >= amount) {
      text += numeral;
      remaining -= amount;
    }
  return text;
}

function letters(value: number): string {
  // Word's letter numbering repeats the letter after z: a … z, aa … zz.
  const letter = String.fromCharCode(97 + ((value - 1) % 26));
  return letter.repeat(Math.floor((value - 1) / 26) + 1);
}

/** A counter in one of Word's number formats; undefined for formats this reader does not write out. */
function formatCounter(counter: number, format: string): string | undefined {
  switch (format) {
    case 'decimal':
      return String(counter);
    case 'decimalZero':
      return counter < 10 ? `0${counter}` : String(counter);
    case 'lowerLetter':
      return letters(counter);
    case 'upperLetter':
      return letters(counter).toUpperCase();
    case 'lowerRoman':
      return roman(counter);
    case 'upperRoman':
      return roman(counter).toUpperCase();
    default:
      return undefined;
  }
}

/**
 * Writes the number of every numbered paragraph (body and tables, in document order) into its text
 * and takes its numbering away, so mammoth reads "3.5.<tab>text" as a paragraph. A document without
 * numbering comes back as it was.
 */
export async function docxWithNumbersAsText(buffer: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(buffer);
  const numberingXml = await zip.file('word/numbering.xml')?.async('string');
  const documentXml = await zip.file('word/document.xml')?.async('string');
  if (!numberingXml || !documentXml) return buffer;
  const numberings = readNumbering(numberingXml);
  const styleNumbering = readStyleNumbering(await zip.file('word/styles.xml')?.async('string'));
  const document = new DOMParser().parseFromString(documentXml, 'text/xml');
  /** abstract list id → counters by level */
  const counters = new Map<string, Map<number, number>>();
  /** list instances whose start overrides have been applied */
  const restarted = new Set<string>();
  let changed = false;
  for (const paragraph of descendants(document, 'p')) {
    const properties = child(paragraph, 'pPr');
    const direct = child(properties, 'numPr');
    const fromStyle = styleNumbering(value(child(properties, 'pStyle')));
    const listId = value(child(direct, 'numId')) ?? fromStyle.listId;
    const level = Number(value(child(direct, 'ilvl')) ?? fromStyle.level ?? 0);
    if (listId === undefined || listId === '0') continue;
    const numbering = numberings.get(listId);
    const definition = numbering?.levels.get(level);
    if (!numbering || !definition) continue;
    const format = definition.format;
    if (format === 'bullet' || format === 'none') continue;
    const levelCounters = counters.get(numbering.abstractId) ?? new Map<number, number>();
    counters.set(numbering.abstractId, levelCounters);
    if (!restarted.has(listId)) {
      restarted.add(listId);
      for (const [overridden, start] of numbering.startOverrides) {
        levelCounters.set(overridden, start - 1);
        for (const deeper of [...levelCounters.keys()]) if (deeper > overridden) levelCounters.delete(deeper);
      }
    }
    const counter = (levelCounters.get(level) ?? definition.start - 1) + 1;
    levelCounters.set(level, counter);
    for (const deeper of [...levelCounters.keys()]) if (deeper > level) levelCounters.delete(deeper);
    let unknownFormat = false;
    const label = definition.text.replace(/%([1-9])/g, (_whole, digit: string) => {
      const shown = Number(digit) - 1;
      const shownLevel = numbering.levels.get(shown);
      const shownCounter = levelCounters.get(shown) ?? shownLevel?.start ?? 1;
      const formatted = formatCounter(
        shownCounter,
        definition.legal && shown < level ? 'decimal' : (shownLevel?.format ?? 'decimal'),
      );
      if (formatted === undefined) unknownFormat = true;
      return formatted ?? '';
    });
    if (unknownFormat || label.trim().length === 0) continue;
    // The number as a run of text, then no list numbering (numId 0 also overrides a style's).
    const run = document.createElementNS(wordNamespace, 'w:r');
    const text = document.createElementNS(wordNamespace, 'w:t');
    text.setAttribute('xml:space', 'preserve');
    text.appendChild(document.createTextNode(label));
    run.appendChild(text);
    // A clause number is set off by a tab, as Word's text export does; a list label such as "(a)"
    // by a space, since a tab inside a line is how the structure parser tells a table row.
    if (/^\d+(?:\.\d+)*\.?$/.test(label)) run.appendChild(document.createElementNS(wordNamespace, 'w:tab'));
    else text.appendChild(document.createTextNode(' '));
    const paragraphProperties =
      properties ??
      paragraph.insertBefore(document.createElementNS(wordNamespace, 'w:pPr'), paragraph.firstChild);
    paragraph.insertBefore(run, paragraphProperties.nextSibling);
    if (direct) paragraphProperties.removeChild(direct);
    const none = document.createElementNS(wordNamespace, 'w:numPr');
    const noneLevel = document.createElementNS(wordNamespace, 'w:ilvl');
    noneLevel.setAttribute('w:val', '0');
    const noneId = document.createElementNS(wordNamespace, 'w:numId');
    noneId.setAttribute('w:val', '0');
    none.appendChild(noneLevel);
    none.appendChild(noneId);
    // numPr comes after pStyle and keepNext-like toggles in the schema; mammoth reads it anywhere.
    paragraphProperties.appendChild(none);
    changed = true;
  }
  if (!changed) return buffer;
  zip.file('word/document.xml', new XMLSerializer().serializeToString(document));
  return zip.generateAsync({ type: 'nodebuffer' });
}
