// The kit editor's front end: a form bound to the `form` trait, the float and problems drawn from
// Python's answers. Typing changes a local copy; after a pause of `debounce_ms` the copy is sent,
// Python checks it (the same validation as `workbench kits validate`) and draws the float again.

const TEXT_FIELDS = [
  ["display_name", "Display name", "any script: the name on the banner"],
  ["latin_name", "Latin name", "shown under a name in another script; may be empty"],
  ["category", "Category", "what the brand is: tea house, electric vehicles..."],
  ["tagline", "Tagline", "in the brand's own language"],
];
const ROLES = ["primary", "secondary", "accent", "background"];
const WORD_LISTS = [
  ["motifs", "Motifs", "what the float is sculpted around, comma-separated"],
  ["style_words", "Style words", "comma-separated"],
  ["negative_words", "Negative words", "what images must avoid, comma-separated"],
];
const HEX = /^#[0-9a-fA-F]{6}$/;
// The words drawn are Python's (`words`: English -> the notebook's language, through workbench.i18n).
let WORDS = {};
const t = (english) => WORDS[english] || english;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function field(label, hint, control, name) {
  const row = element("div", "wb-kit-field");
  row.dataset.field = name;
  row.append(element("span", "wb-kit-label", t(label)), control);
  if (hint) row.append(element("span", "wb-kit-hint", t(hint)));
  row.append(element("span", "wb-kit-problem"));
  return row;
}

function splitWords(text) {
  return text.split(/[,，、;；]/).map((word) => word.trim()).filter((word) => word.length > 0);
}

function render({ model, el }) {
  WORDS = model.get("words") || {};
  let form = structuredClone(model.get("form") || {});
  let timer = null;
  const root = element("div", "wb-kit-editor");
  const controls = {};

  // Header: the kit being edited, and the save button.
  const header = element("div", "wb-kit-header");
  const picker = element("select", "wb-kit-slug");
  const save = element("button", "wb-kit-save", t("Save brand.yaml"));
  const status = element("div", "wb-kit-status");
  header.append(element("span", "wb-kit-title", t("Kit")), picker, save);

  const body = element("div", "wb-kit-body");
  const formBox = element("div", "wb-kit-form");
  const side = element("div", "wb-kit-side");
  body.append(formBox, side);
  root.append(header, status, body);
  el.append(root);

  function send() {
    clearTimeout(timer);
    timer = null;
    model.set("form", structuredClone(form));
    model.save_changes();
  }
  function changed() {  // wait for a pause in typing, then send the whole form once
    clearTimeout(timer);
    timer = setTimeout(send, model.get("debounce_ms"));
  }

  // Names.
  const names = element("fieldset", "wb-kit-group");
  names.append(element("legend", "", t("Names")));
  for (const [name, label, hint] of TEXT_FIELDS) {
    const input = element("input", `wb-kit-input wb-kit-${name}`);
    input.type = "text";
    input.addEventListener("input", () => { form[name] = input.value; changed(); });
    controls[name] = input;
    names.append(field(label, hint, input, name));
  }
  const language = element("select", "wb-kit-input wb-kit-language");
  for (const code of model.get("languages")) language.append(new Option(code, code));
  language.addEventListener("change", () => { form.language = language.value; changed(); });
  controls.language = language;
  names.append(field("Language", "of the display name and tagline", language, "language"));

  // Palette: a colour picker and the hex beside it, kept in step.
  const palette = element("fieldset", "wb-kit-group");
  palette.append(element("legend", "", t("Palette")));
  for (const role of ROLES) {
    const swatch = element("input", `wb-kit-swatch wb-kit-swatch-${role}`);
    swatch.type = "color";
    const hex = element("input", `wb-kit-input wb-kit-hex wb-kit-colour-${role}`);
    hex.type = "text";
    hex.spellcheck = false;
    swatch.addEventListener("input", () => {
      hex.value = swatch.value.toUpperCase();
      form.palette = { ...form.palette, [role]: hex.value };
      changed();
    });
    hex.addEventListener("input", () => {
      if (HEX.test(hex.value.trim())) swatch.value = hex.value.trim().toLowerCase();
      form.palette = { ...form.palette, [role]: hex.value };
      changed();
    });
    controls[`palette.${role}`] = { swatch, hex };
    const pair = element("span", "wb-kit-colour");
    pair.append(swatch, hex);
    palette.append(field(role, "", pair, `palette.${role}`));  // role names are brand.yaml's keys
  }

  // Motifs, shapes and words.
  const words = element("fieldset", "wb-kit-group");
  words.append(element("legend", "", t("Motifs and words")));
  for (const [name, label, hint] of WORD_LISTS) {
    const input = element("input", `wb-kit-input wb-kit-${name}`);
    input.type = "text";
    input.addEventListener("input", () => { form[name] = splitWords(input.value); changed(); });
    controls[name] = input;
    words.append(field(label, hint, input, name));
  }
  const shapes = element("span", "wb-kit-shapes");
  const shapeBoxes = {};
  for (const shape of model.get("shapes")) {
    const chip = element("label", "wb-kit-chip");
    const box = element("input");
    box.type = "checkbox";
    box.value = shape;
    box.addEventListener("change", () => {
      form.motif_shapes = model.get("shapes").filter((name) => shapeBoxes[name].checked);
      changed();
    });
    shapeBoxes[shape] = box;
    chip.append(box, document.createTextNode(shape));
    shapes.append(chip);
  }
  words.append(field("Motif shapes", "the shapes previz decorates the float with", shapes, "motif_shapes"));

  // Logo: what the kit has now, and an upload.
  const logoGroup = element("fieldset", "wb-kit-group");
  logoGroup.append(element("legend", "", t("Logo")));
  const logoImage = element("img", "wb-kit-logo");
  logoImage.alt = t("the kit's logo");
  const logoName = element("span", "wb-kit-logo-name");
  const upload = element("input", "wb-kit-upload");
  upload.type = "file";
  upload.accept = ".png,.svg,.jpg,.jpeg,.webp";
  upload.addEventListener("change", async () => {
    const file = upload.files && upload.files[0];
    if (!file) return;
    const buffer = await file.arrayBuffer();
    model.send({ kind: "logo", name: file.name }, undefined, [buffer]);
    upload.value = "";
  });
  const logoRow = element("div", "wb-kit-logo-row");
  logoRow.append(logoImage, logoName);
  logoGroup.append(logoRow, field("Upload", "PNG or SVG kept exact; a JPEG loses its flat background", upload, "logo"));

  formBox.append(names, palette, words, logoGroup);

  // Beside the form: the float and the problems.
  const floatBox = element("div", "wb-kit-float-box");
  const floatImage = element("img", "wb-kit-float");
  floatImage.alt = t("previz float of the kit");
  const floatNote = element("div", "wb-kit-float-note");
  const problems = element("ul", "wb-kit-problems");
  floatBox.append(floatImage, floatNote);
  side.append(floatBox, problems);

  save.addEventListener("click", () => {
    if (timer !== null) send();  // what was typed last is saved too
    model.send({ kind: "save" });
  });
  picker.addEventListener("change", () => {
    if (timer !== null) send();
    model.set("slug", picker.value);
    model.save_changes();
  });

  // Python -> page.
  function showForm() {
    form = structuredClone(model.get("form") || {});
    for (const [name] of TEXT_FIELDS) {
      if (document.activeElement !== controls[name]) controls[name].value = form[name] || "";
    }
    controls.language.value = form.language || "en";
    for (const role of ROLES) {
      const { swatch, hex } = controls[`palette.${role}`];
      const value = (form.palette || {})[role] || "";
      if (document.activeElement !== hex) hex.value = value;
      if (HEX.test(value)) swatch.value = value.toLowerCase();
    }
    for (const [name] of WORD_LISTS) {
      if (document.activeElement !== controls[name]) controls[name].value = (form[name] || []).join(", ");
    }
    for (const [shape, box] of Object.entries(shapeBoxes)) box.checked = (form.motif_shapes || []).includes(shape);
    logoName.textContent = form.logo || t("(no logo)");
  }
  function showSlugs() {
    picker.replaceChildren(...model.get("slugs").map((slug) => new Option(slug, slug)));
    picker.value = model.get("slug");
  }
  function showProblems() {
    const list = model.get("problems");
    problems.replaceChildren(...list.map((problem) =>
      element("li", "wb-kit-problem-line", `brand.yaml: ${problem.field}: ${problem.message}`)));
    for (const row of formBox.querySelectorAll(".wb-kit-field")) {
      const mine = list.filter((problem) => problem.field === row.dataset.field
        || problem.field.startsWith(`${row.dataset.field}.`));
      row.classList.toggle("wb-kit-invalid", mine.length > 0);
      row.querySelector(".wb-kit-problem").textContent = mine.map((problem) => problem.message).join("; ");
    }
    save.disabled = list.length > 0;
  }
  function showFloat() {
    const uri = model.get("preview");
    if (uri) floatImage.src = uri;
    floatImage.classList.toggle("wb-kit-stale", !model.get("preview_current"));
    floatNote.textContent = model.get("preview_current") ? t("previz float, drawn from the form")
      : t("the float of the last valid form: fix the problems to draw it again");
    const logo = model.get("logo_preview");
    if (logo) logoImage.src = logo;
  }
  function showStatus() {
    status.textContent = model.get("status");
    root.classList.toggle("wb-kit-dirty", model.get("dirty"));
  }

  model.on("change:form", showForm);
  model.on("change:slugs", showSlugs);
  model.on("change:slug", showSlugs);
  model.on("change:problems", showProblems);
  model.on("change:preview", showFloat);
  model.on("change:preview_current", showFloat);
  model.on("change:logo_preview", showFloat);
  model.on("change:status", showStatus);
  model.on("change:dirty", showStatus);
  showSlugs();
  showForm();
  showProblems();
  showFloat();
  showStatus();
  return () => clearTimeout(timer);
}

export default { render };
