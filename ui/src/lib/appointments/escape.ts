/**
 * Escape inside a form or confirmation closes it, like a dialog. An attachment rather than an
 * `onkeydown` attribute: the listener catches keys bubbling up from the fields inside; the
 * container itself is not made interactive.
 */
export function escapeCloses(close: () => void) {
  return (node: HTMLElement) => {
    const onKeydown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      close();
    };
    node.addEventListener("keydown", onKeydown);
    return () => node.removeEventListener("keydown", onKeydown);
  };
}
