// Preselects the device's time zone on the registration form, when the list has it.
const select = document.querySelector('[data-detect-timezone]');
if (select && select.value === 'UTC') {
  const detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if ([...select.options].some((option) => option.value === detected)) {
    select.value = detected;
  }
}
