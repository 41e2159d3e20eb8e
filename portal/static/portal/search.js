/* The search box's suggestions: an ARIA 1.2 combobox (input + listbox, aria-activedescendant)
   over /recherche/suggestions/. Progressive: without JavaScript the box is a plain GET form
   to /recherche/, which reads places and keywords on the server.

   Keys: ArrowDown / ArrowUp move through the suggestions (opening them), Enter follows the
   active one (or submits the form when none is active), Escape closes them (then clears the
   box), Tab leaves. */
(function () {
  "use strict";
  var DELAY = 150;
  var MIN_LENGTH = 2;
  var counter = 0;

  function Combobox(input) {
    counter += 1;
    this.input = input;
    this.url = input.dataset.portalSuggest;
    this.labels = {
      place: input.dataset.labelPlace, project: input.dataset.labelProject,
      carrier: input.dataset.labelCarrier
    };
    this.countText = input.dataset.countText || "{count}";
    this.noneText = input.dataset.noneText || "";
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.id = (input.id || "search") + "-listbox";

    this.listbox = document.createElement("div");
    this.listbox.id = this.id;
    this.listbox.setAttribute("role", "listbox");
    this.listbox.setAttribute("aria-label", input.dataset.listLabel || "Suggestions");
    this.listbox.className = "portal-combobox__listbox";
    this.listbox.hidden = true;
    this.status = document.createElement("div");
    this.status.setAttribute("role", "status");
    this.status.className = "fr-sr-only";
    var parent = input.parentNode;
    parent.classList.add("portal-combobox");
    parent.appendChild(this.listbox);
    parent.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", function () {
      window.setTimeout(this.close.bind(this), 150);
    }.bind(this));
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();  // keep the focus in the box
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { this.follow(Number(option.dataset.index)); }
    }.bind(this));
  }

  Combobox.prototype.onInput = function () {
    window.clearTimeout(this.timer);
    var text = this.input.value.trim();
    if (text.length < MIN_LENGTH) { this.close(); this.items = []; return; }
    this.timer = window.setTimeout(this.fetch.bind(this, text), DELAY);
  };

  Combobox.prototype.fetch = function (text) {
    if (this.request) { this.request.abort(); }
    this.request = new AbortController();
    var self = this;
    fetch(this.url + "?q=" + encodeURIComponent(text), {
      signal: this.request.signal, headers: { Accept: "application/json" }
    }).then(function (answer) {
      return answer.ok ? answer.json() : { suggestions: [] };
    }).then(function (data) {
      if (self.input.value.trim() !== text) { return; }
      self.render(data.suggestions || []);
    }).catch(function () { /* aborted or offline: the form still works */ });
  };

  Combobox.prototype.render = function (items) {
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.listbox.textContent = "";
    var groups = {};
    var self = this;
    items.forEach(function (item, index) {
      var group = groups[item.kind];
      if (!group) {
        group = groups[item.kind] = document.createElement("div");
        group.setAttribute("role", "group");
        var title = document.createElement("div");
        title.id = self.id + "-" + item.kind;
        title.className = "portal-combobox__group";
        title.setAttribute("role", "presentation");
        title.textContent = self.labels[item.kind] || item.kind;
        group.setAttribute("aria-labelledby", title.id);
        group.appendChild(title);
        self.listbox.appendChild(group);
      }
      var option = document.createElement("div");
      option.id = self.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      option.className = "portal-combobox__option";
      var label = document.createElement("span");
      label.className = "portal-combobox__label";
      label.textContent = item.label;
      option.appendChild(label);
      if (item.detail) {
        var detail = document.createElement("span");
        detail.className = "portal-combobox__detail";
        detail.textContent = " — " + item.detail;
        option.appendChild(detail);
      }
      group.appendChild(option);
    });
    this.status.textContent = items.length
      ? this.countText.replace("{count}", String(items.length)) : this.noneText;
    if (items.length) { this.open(); } else { this.close(); }
  };

  Combobox.prototype.open = function () {
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.select(-1);
  };

  Combobox.prototype.isOpen = function () { return !this.listbox.hidden; };

  Combobox.prototype.select = function (index) {
    var previous = document.getElementById(this.id + "-" + this.active);
    if (previous) { previous.setAttribute("aria-selected", "false"); }
    this.active = index;
    var option = document.getElementById(this.id + "-" + index);
    if (option) {
      option.setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.follow = function (index) {
    var item = this.items[index];
    if (item) { window.location.assign(item.url); }
  };

  Combobox.prototype.onKeydown = function (event) {
    var count = this.items.length;
    switch (event.key) {
      case "ArrowDown":
      case "Down":
        if (!count) { return; }
        event.preventDefault();
        if (!this.isOpen()) { this.open(); }
        this.select(this.active + 1 >= count ? 0 : this.active + 1);
        break;
      case "ArrowUp":
      case "Up":
        if (!count) { return; }
        event.preventDefault();
        if (!this.isOpen()) { this.open(); }
        this.select(this.active <= 0 ? count - 1 : this.active - 1);
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.follow(this.active);
        }
        break;
      case "Escape":
      case "Esc":
        if (this.isOpen()) {
          event.preventDefault();
          event.stopPropagation();  // the DSFR modal of the header search stays open
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.items = [];
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  document.querySelectorAll("input[data-portal-suggest]").forEach(function (input) {
    input.portalCombobox = new Combobox(input);
  });
})();
