// Makes photo-with-preview.jpg, the dashboard tests' camera image: a real (decodable) JPEG of a
// 48×64 portrait, stored sideways as a camera held upright stores it (64×48, EXIF Orientation 6:
// turn 90° clockwise to show), with a 32×24 preview in EXIF IFD1, also sideways. Little-endian TIFF.
// Chromium's canvas encodes the pixels; run from this folder once:
//   node make_photo_fixture.mjs          (needs /usr/bin/chromium and ../node_modules/playwright-core)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
// A head and shoulders on the registry's light blue, drawn upright and stored turned 90° anticlockwise.
const [main, preview] = await page.evaluate(() => [[64, 48], [32, 24]].map(([w, h]) => {
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.translate(0, h);
  ctx.rotate(-Math.PI / 2);
  const s = h / 48;  // upright: 48 wide, 64 high at full size
  ctx.fillStyle = "#cfe3f5";
  ctx.fillRect(0, 0, 48 * s, 64 * s);
  ctx.fillStyle = "#2b2f38";
  ctx.beginPath();
  ctx.arc(24 * s, 24 * s, 11 * s, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillRect(8 * s, 44 * s, 32 * s, 20 * s);
  return canvas.toDataURL("image/jpeg", 0.9).split(",")[1];
}));
await browser.close();

const le16 = (v) => Buffer.from([v & 0xff, v >> 8]);
const le32 = (v) => Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]);
const entry = (tag, type, value) => Buffer.concat([le16(tag), le16(type), le32(1),
  type === 3 ? Buffer.concat([le16(value), le16(0)]) : le32(value)]);
const thumb = Buffer.from(preview, "base64");
// IFD0 at 8 (one entry: 18 bytes), IFD1 at 26 (three entries: 42 bytes), the preview at 68.
const tiff = Buffer.concat([
  Buffer.from("II"), le16(42), le32(8),
  le16(1), entry(0x0112, 3, 6), le32(26),
  le16(3), entry(0x0103, 3, 6), entry(0x0201, 4, 68), entry(0x0202, 4, thumb.length), le32(0),
  thumb]);
const app1 = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
const image = Buffer.from(main, "base64");
// The canvas's JPEG starts SOI, APP0 (JFIF): the Exif segment replaces the APP0.
if (image[2] !== 0xff || image[3] !== 0xe0) throw new Error("no APP0 after SOI");
const rest = image.subarray(4 + image.readUInt16BE(4));
const out = Buffer.concat([image.subarray(0, 2), Buffer.from([0xff, 0xe1]), Buffer.from([(app1.length + 2) >> 8,
  (app1.length + 2) & 0xff]), app1, rest]);
fs.writeFileSync(path.join(HERE, "photo-with-preview.jpg"), out);
console.log(`photo-with-preview.jpg: ${out.length} bytes, preview ${thumb.length} bytes at TIFF offset 68`);
