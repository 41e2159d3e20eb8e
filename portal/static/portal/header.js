/* The accessible names of the header modals (#modal-menu, #modal-search), set before the
   DSFR script starts.

   Why not in the markup: at desktop widths the DSFR shows these modals inline and removes its
   aria-label (HeaderModal.storeAria), and a <div> may carry an aria-label only with a role
   (Nu HTML checker) while a role="dialog" left in place would be a nameless dialog (axe-core,
   aria-dialog-name). So the markup holds the name in data-portal-label; this deferred script,
   placed before the DSFR module (deferred scripts run in document order), turns it into
   aria-label, which the DSFR then stores at desktop widths and restores, with role="dialog",
   when one opens as a modal on small screens. */
document.querySelectorAll("[data-portal-label]").forEach(function (element) {
  element.setAttribute("aria-label", element.getAttribute("data-portal-label"));
});
